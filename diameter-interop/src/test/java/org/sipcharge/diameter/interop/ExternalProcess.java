package org.sipcharge.diameter.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process this test started: stdout and stderr go to files in the work directory (no pipe can fill up and block
 * it), and {@link #close} stops it by its PID (SIGTERM, then SIGKILL after a grace period), together with any
 * children it started (tshark's dumpcap, escript's BEAM).
 */
final class ExternalProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<String> command;

    private ExternalProcess(String name, Process process, Path stdout, Path stderr, List<String> command) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.command = command;
    }

    static ExternalProcess start(String name, Path workDir, List<String> command) {
        try {
            Files.createDirectories(workDir);
            Path out = workDir.resolve(name + ".out");
            Path err = workDir.resolve(name + ".err");
            Process p = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            System.out.println("[interop] started " + name + " pid " + p.pid() + ": " + String.join(" ", command));
            return new ExternalProcess(name, p, out, err, command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** Waits until stdout or stderr satisfies the condition; fails when the process dies first or time runs out. */
    void awaitOutput(String what, Duration timeout, Predicate<String> condition) {
        Interop.await(what + " from " + name, timeout, () -> {
            String all = stdout() + "\n" + stderr();
            if (condition.test(all)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before " + what
                        + "\n--- stdout:\n" + stdout() + "\n--- stderr:\n" + stderr());
            }
            return false;
        });
    }

    /** Waits for the process to exit by itself; returns its exit code or fails on timeout (after stopping it). */
    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(name + " did not exit within " + timeout + "\n--- stdout:\n" + stdout()
                        + "\n--- stderr:\n" + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    /** SIGTERM to the PID (and to its children), SIGKILL to whatever is left after the grace period. */
    void stop(Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
        }
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            System.out.println("[interop] " + name + " pid " + process.pid() + " ignored SIGTERM, killing it");
            process.destroyForcibly();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroy();
                child.onExit().orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> {
                    child.destroyForcibly();
                    return child;
                }).join();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ") " + String.join(" ", command);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
