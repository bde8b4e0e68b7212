package io.seatwarden.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seatwarden.bridge.DirectoryHeader.Gap;
import io.seatwarden.bridge.DirectoryHeader.Signal;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How {@link SeenHost} turns covered days into the gaps the engine reads. */
class SeenGapsTest {
  static final long D = 86_400_000L;

  static TreeSet<Long> days(long... days) {
    TreeSet<Long> out = new TreeSet<>();
    for (long d : days) {
      out.add(d);
    }
    return out;
  }

  @Test
  void daysWithoutARowFromTheFirstToYesterdayAreGapsTodayIsNot() {
    assertEquals(List.of(), SeenHost.gaps(days(), 100));
    assertEquals(List.of(), SeenHost.gaps(days(97, 98, 99), 100), "today has no row yet");
    assertEquals(
        List.of(new Gap(98 * D, 100 * D)), SeenHost.gaps(days(97), 100), "yesterday without one is");
    assertEquals(
        List.of(new Gap(91 * D, 93 * D), new Gap(94 * D, 95 * D)),
        SeenHost.gaps(days(90, 93, 95, 96, 97, 98, 99, 100), 100));
  }

  @Test
  void pastSixtyFourGapsTheOldestAreMergedIntoOne() {
    // Covered every other day for 200 days: 100 one-day gaps.
    TreeSet<Long> covered = new TreeSet<>();
    for (long d = 0; d < 200; d += 2) {
      covered.add(d);
    }
    List<Gap> gaps = SeenHost.gaps(covered, 200);
    assertEquals(Signal.MAX_GAPS, gaps.size());
    // The 37 oldest become one, covered days inside it included (conservative).
    assertEquals(new Gap(1 * D, 74 * D), gaps.get(0));
    assertEquals(new Gap(75 * D, 76 * D), gaps.get(1));
    assertEquals(new Gap(199 * D, 200 * D), gaps.get(Signal.MAX_GAPS - 1));
  }
}
