package io.seatwarden.plugin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the jar check needs from a 64-bit little-endian ELF shared library, without external
 * tools (objdump cannot read a foreign architecture on every machine): the machine, the section
 * names, and the symbol versions it requires ({@code .gnu.version_r}, every versioned import such
 * as {@code GLIBC_2.17}) and defines ({@code .gnu.version_d}, versioned exports).
 *
 * <p>Layout per the System V ABI (ELF-64 object file format) and the LSB "Symbol Versioning"
 * chapter: section headers at {@code e_shoff}; {@code SHT_GNU_verneed} (0x6ffffffe) holds
 * {@code Elf64_Verneed} records, each followed by {@code Elf64_Vernaux} entries naming a version
 * in the string table its {@code sh_link} points to; {@code SHT_GNU_verdef} (0x6ffffffd) holds
 * {@code Elf64_Verdef} records with {@code Elf64_Verdaux} names.
 */
final class ElfLibrary {
  static final int EM_X86_64 = 62;
  static final int EM_AARCH64 = 183;
  private static final int SHT_GNU_VERDEF = 0x6ffffffd;
  private static final int SHT_GNU_VERNEED = 0x6ffffffe;

  final int machine;
  final List<String> sections = new ArrayList<>();
  final List<String> requiredVersions = new ArrayList<>();
  final List<String> definedVersions = new ArrayList<>();

  ElfLibrary(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 64 || b.getInt(0) != 0x464c457f) {
      throw new IllegalArgumentException("not an ELF file");
    }
    if (bytes[4] != 2 || bytes[5] != 1) {
      throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
    }
    machine = Short.toUnsignedInt(b.getShort(18));
    long shoff = b.getLong(40);
    int shentsize = Short.toUnsignedInt(b.getShort(58));
    int shnum = Short.toUnsignedInt(b.getShort(60));
    int shstrndx = Short.toUnsignedInt(b.getShort(62));
    long[][] headers = new long[shnum][];
    for (int i = 0; i < shnum; i++) {
      int at = Math.toIntExact(shoff + (long) i * shentsize);
      headers[i] =
          new long[] {
            Integer.toUnsignedLong(b.getInt(at)), // name
            Integer.toUnsignedLong(b.getInt(at + 4)), // type
            b.getLong(at + 24), // offset
            b.getLong(at + 32), // size
            Integer.toUnsignedLong(b.getInt(at + 40)), // link
            Integer.toUnsignedLong(b.getInt(at + 44)), // info: number of records
          };
    }
    long names = headers[shstrndx][2];
    for (long[] h : headers) {
      sections.add(string(bytes, names + h[0]));
      long strtab = h[4] < shnum ? headers[(int) h[4]][2] : 0;
      if (h[1] == SHT_GNU_VERNEED) {
        int at = Math.toIntExact(h[2]);
        for (long n = 0; n < h[5]; n++) {
          int count = Short.toUnsignedInt(b.getShort(at + 2));
          int aux = at + b.getInt(at + 8);
          for (int k = 0; k < count; k++) {
            requiredVersions.add(string(bytes, strtab + Integer.toUnsignedLong(b.getInt(aux + 8))));
            aux += b.getInt(aux + 12);
          }
          at += b.getInt(at + 12);
        }
      } else if (h[1] == SHT_GNU_VERDEF) {
        int at = Math.toIntExact(h[2]);
        for (long n = 0; n < h[5]; n++) {
          int aux = at + b.getInt(at + 12);
          definedVersions.add(string(bytes, strtab + Integer.toUnsignedLong(b.getInt(aux))));
          at += b.getInt(at + 16);
        }
      }
    }
  }

  /**
   * The glibc versions among {@code versions} newer than {@code major.minor} (e.g. {@code
   * GLIBC_2.34} against 2.17); {@code GLIBC_PRIVATE} counts as newer (it is no stable ABI).
   */
  static List<String> glibcNewerThan(List<String> versions, int major, int minor) {
    List<String> newer = new ArrayList<>();
    for (String v : versions) {
      if (!v.startsWith("GLIBC_")) {
        continue;
      }
      String[] parts = v.substring("GLIBC_".length()).split("\\.");
      try {
        int vMajor = Integer.parseInt(parts[0]);
        int vMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        if (vMajor > major || (vMajor == major && vMinor > minor)) {
          newer.add(v);
        }
      } catch (NumberFormatException notANumber) {
        newer.add(v);
      }
    }
    return newer;
  }

  private static String string(byte[] bytes, long offset) {
    int start = Math.toIntExact(offset);
    int end = start;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, start, end - start, StandardCharsets.US_ASCII);
  }
}
