package shop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** ProcCpu reads a process's CPU time from {@code /proc/PID/stat} (Linux; clock ticks of 10 ms). */
final class ProcCpu {
    private static final long TICK_NANOS = 10_000_000L;

    private ProcCpu() {
    }

    /** totalNanos is the process's user plus system time. */
    static long totalNanos(long pid) throws IOException {
        String[] f = fields(pid);
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
    }

    /** kernelNanos is the process's system time. */
    static long kernelNanos(long pid) throws IOException {
        return Long.parseLong(fields(pid)[12]) * TICK_NANOS;
    }

    /** fields are the stat fields after the command name, so that utime is [11] and stime [12]. */
    private static String[] fields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }
}
