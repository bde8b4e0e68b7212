/**
 * The bridge between the JVM and Seatwarden's native library.
 *
 * <p>{@link io.seatwarden.bridge.NativeSeatwarden} is the application (the service over the
 * plugin's {@link io.seatwarden.bridge.Host} and {@link io.seatwarden.bridge.RecordStore}, called
 * back through package-private adapters); {@link io.seatwarden.bridge.Engine} is the directory
 * query facade; {@code Native} (package-private)
 * declares the JNI entry points; {@link io.seatwarden.bridge.NativeLoader} copies the library for
 * this platform out of the jar and loads it. Every payload is UTF-8 JSON in a {@code byte[]}, and
 * every response is one envelope; a failure envelope becomes the {@link
 * io.seatwarden.bridge.SeatwardenException} subclass mapped from its {@link
 * io.seatwarden.bridge.ErrorKind}. The contract is written down in {@code docs/jni.md}.
 */
package io.seatwarden.bridge;
