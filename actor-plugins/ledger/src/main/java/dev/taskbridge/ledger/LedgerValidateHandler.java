package dev.taskbridge.ledger;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import java.util.List;
import java.util.Objects;

/**
 * Validates a ledger file {@value #CHUNK_SIZE} lines at a time. Each chunk stores a partial
 * report (totals and its errors); the result merges them, so a task that resumes after a crash
 * never validates a committed chunk again. Validation has no side effects, so rerunning an
 * interrupted chunk is harmless.
 */
final class LedgerValidateHandler implements TaskHandler<LedgerFile> {

    /** Lines per chunk: small enough for steady progress, large enough to keep history short. */
    static final int CHUNK_SIZE = 500;

    @Override
    public int chunkCount(LedgerFile payload) {
        // Math.ceilDiv is Java 18+
        return Math.max(1, (payload.lines().size() + CHUNK_SIZE - 1) / CHUNK_SIZE);
    }

    @Override
    public ChunkOutcome runChunk(LedgerFile payload, int chunk, TaskContext context) {
        Objects.checkIndex(chunk, chunkCount(payload));
        List<LedgerLine> lines = payload.lines();
        int from = chunk * CHUNK_SIZE;
        int to = Math.min(lines.size(), from + CHUNK_SIZE);
        LedgerReport report = new LedgerReport();
        int valid = 0;
        int invalid = 0;
        for (LedgerLine line : lines.subList(from, to)) {
            CheckedLine checked = LineValidator.validate(line, payload.documents());
            report.add(checked);
            if (checked.isValid()) {
                valid++;
            } else {
                invalid++;
            }
        }
        return new ChunkOutcome(valid, invalid, report.toChunkData());
    }

    @Override
    public String result(LedgerFile payload, List<ChunkOutcome> outcomes) {
        int expected = chunkCount(payload);
        if (outcomes.size() != expected) {
            throw new IllegalArgumentException(
                    "expected the outcomes of " + expected + " chunks, got " + outcomes.size());
        }
        LedgerReport report = new LedgerReport();
        int valid = 0;
        int invalid = 0;
        for (ChunkOutcome outcome : outcomes) {
            report.addChunkData(outcome.data());
            valid += outcome.itemsDone();
            invalid += outcome.itemsFailed();
        }
        return report.toResult(payload.lines().size(), valid, invalid);
    }
}
