// SPDX-License-Identifier: MIT
// The Java side of tests/integration/test-hdr-java.sh, over Debian's libhdrhistogram-java:
//   HdrCheck read LOG    reads a V2 interval log (skytune's) with HistogramLogReader
//   HdrCheck write LOG   writes one with HistogramLogWriter (3 intervals, tags step1 and total)
// and prints, per interval, TAG START COUNT P50 P90 P99 P99.9 MAX as tests/tools/hdr-tool.c does;
//   HdrCheck merge B64...  decodes V2 compressed base64 histograms (a skytune.load/1 "hdr"), adds
//                          them and prints "merged 0 COUNT P50 P90 P99 P99.9 MAX" (test-load-ansible.sh).
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

public class HdrCheck {
    static void print(String tag, double start, Histogram h) {
        System.out.printf(Locale.US, "%s %.0f %d %d %d %d %d %d%n", tag == null ? "-" : tag, start,
                          h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                          h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("merge")) {
            Histogram sum = new Histogram(3600000000L, 3);
            for (int i = 1; i < args.length; i++)
                sum.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(args[i])), 0));
            print("merged", 0, sum);
            return;
        }
        if (args[0].equals("read")) {
            HistogramLogReader r = new HistogramLogReader(args[1]);
            EncodableHistogram e;
            while ((e = r.nextIntervalHistogram()) != null) {
                Histogram h = (Histogram) e;
                print(h.getTag(), h.getStartTimeStamp() / 1000.0 - r.getStartTimeSec(), h);
            }
            return;
        }
        HistogramLogWriter w = new HistogramLogWriter(args[1]);
        long start = 1764709200000L, x = 98765;
        w.outputLogFormatVersion();
        w.outputStartTime(start);
        w.outputBaseTime(start);
        w.outputLegend();
        for (int i = 0; i < 3; i++)
            for (int t = 0; t < 2; t++) {
                Histogram h = new Histogram(3600000000L, 3);
                int n = 1003 + 131 * i + 53 * t;
                for (int k = 0; k < n; k++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                    h.recordValue(1 + (x >>> 33) % (t == 1 ? 5000000 : 200000));
                }
                String tag = t == 1 ? "total" : "step1";
                h.setTag(tag);
                h.setStartTimeStamp(start + i * 1000L);
                h.setEndTimeStamp(start + (i + 1) * 1000L);
                w.outputIntervalHistogram(h);
                print(tag, i, h);
            }
        w.close();
    }
}
