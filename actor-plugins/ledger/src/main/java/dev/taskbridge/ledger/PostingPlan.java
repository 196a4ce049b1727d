package dev.taskbridge.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code ledger.post} splits a file into posting chunks: whole documents, in the order their
 * first lines appear, up to a number of lines per chunk ({@link PostingOptions#chunkLines()}). A
 * document is never split, so it is never half-posted; a document longer than a chunk gets a chunk
 * of its own. Derived from the payload and its options alone, which are stored with the task, so
 * every run of a task plans the same chunks.
 */
final class PostingPlan {

    private final List<List<List<LedgerLine>>> chunks;

    private PostingPlan(List<List<List<LedgerLine>>> chunks) {
        this.chunks = chunks;
    }

    static PostingPlan of(LedgerFile file, int chunkLines) {
        Map<String, List<LedgerLine>> documents = new LinkedHashMap<>();
        for (LedgerLine line : file.lines()) {
            documents.computeIfAbsent(String.valueOf(line.documentNumber()), number -> new ArrayList<>()).add(line);
        }
        List<List<List<LedgerLine>>> chunks = new ArrayList<>();
        List<List<LedgerLine>> current = new ArrayList<>();
        int lines = 0;
        for (List<LedgerLine> document : documents.values()) {
            if (!current.isEmpty() && lines + document.size() > chunkLines) {
                chunks.add(current);
                current = new ArrayList<>();
                lines = 0;
            }
            current.add(document);
            lines += document.size();
        }
        chunks.add(current);
        return new PostingPlan(chunks);
    }

    int chunks() {
        return chunks.size();
    }

    /** The documents of posting chunk {@code index} (0-based), each as its lines in file order. */
    List<List<LedgerLine>> documents(int index) {
        return chunks.get(index);
    }
}
