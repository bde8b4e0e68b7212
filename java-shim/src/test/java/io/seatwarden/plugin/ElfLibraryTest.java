package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The jar check's ELF reader on real libraries: the testing library is built by plain cargo on
 * the build machine (Debian 12, glibc 2.36), the way the shipped one was built before zigbuild,
 * so the check must find symbol versions newer than 2.17 in it; the shipped x86_64 library in
 * classes/ must have none.
 */
class ElfLibraryTest {

  @Test
  void aLibraryLinkedOnThisMachineNeedsANewerGlibcAndTheShippedOneDoesNot() throws Exception {
    ElfLibrary host =
        new ElfLibrary(Files.readAllBytes(Path.of(System.getProperty("seatwarden.test.testingLibrary"))));
    List<String> newer = ElfLibrary.glibcNewerThan(host.requiredVersions, 2, 17);
    assertFalse(newer.isEmpty(), "expected GLIBC_2.2x/2.3x imports in a host build: " + host.requiredVersions);
    assertTrue(host.sections.contains(".symtab"), "the testing build is not stripped");

    ElfLibrary shipped =
        new ElfLibrary(
            Files.readAllBytes(
                Path.of(System.getProperty("seatwarden.test.classes"), "native/linux-x86_64/libseatwarden_jni.so")));
    assertEquals(ElfLibrary.EM_X86_64, shipped.machine);
    assertEquals(List.of(), ElfLibrary.glibcNewerThan(shipped.requiredVersions, 2, 17));
    assertFalse(shipped.sections.contains(".symtab"));
  }
}
