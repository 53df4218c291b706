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

    /**
     * contextSwitches is the sum over the process's threads of their voluntary and involuntary context
     * switches ({@code /proc/PID/task/TID/status}); threads that end between reads are not counted.
     */
    static long contextSwitches(long pid) {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    /** threadContextSwitches is the calling thread's voluntary and involuntary context switches so far. */
    static long threadContextSwitches() {
        try {
            long total = 0;
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                    total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** fields are the stat fields after the command name, so that utime is [11] and stime [12]. */
    private static String[] fields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }
}
