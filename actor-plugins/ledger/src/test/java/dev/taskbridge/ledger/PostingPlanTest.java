package dev.taskbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PostingPlanTest {

    @Test
    void wholeDocumentsInFileOrderFillChunksOfAtMost500Lines() {
        List<LedgerLine> lines = new ArrayList<>();
        for (int document = 1; document <= 400; document++) {
            for (int i = 0; i < 3; i++) {
                lines.add(line(lines.size() + 1, "D" + document));
            }
        }

        PostingPlan plan = PostingPlan.of(new LedgerFile(lines), 500);

        // 166 documents of 3 lines fit in 500 lines: 400 documents make 3 chunks
        assertThat(plan.chunks()).isEqualTo(3);
        assertThat(plan.documents(0)).hasSize(166);
        assertThat(plan.documents(0).get(0)).extracting(LedgerLine::documentNumber).containsOnly("D1");
        assertThat(plan.documents(1).get(0).get(0).documentNumber()).isEqualTo("D167");
        assertThat(plan.documents(2)).hasSize(400 - 2 * 166);
    }

    @Test
    void theChunkSizeIsAnOption() {
        List<LedgerLine> lines = new ArrayList<>();
        for (int document = 1; document <= 100; document++) {
            lines.add(line(2 * document - 1, "D" + document));
            lines.add(line(2 * document, "D" + document));
        }

        assertThat(PostingPlan.of(new LedgerFile(lines), 50).chunks()).isEqualTo(4); // 25 documents each
        assertThat(PostingPlan.of(new LedgerFile(lines), 200).chunks()).isEqualTo(1);
        assertThat(PostingPlan.of(new LedgerFile(lines), 1).chunks()).as("a document is never split").isEqualTo(100);
    }

    @Test
    void aDocumentIsNeverSplitEvenWhenItsLinesAreApartOrMoreThanAChunk() {
        List<LedgerLine> lines = new ArrayList<>();
        lines.add(line(1, "A"));
        for (int i = 0; i < 600; i++) {
            lines.add(line(lines.size() + 1, "BIG"));
        }
        lines.add(line(lines.size() + 1, "A"));

        PostingPlan plan = PostingPlan.of(new LedgerFile(lines), 500);

        assertThat(plan.chunks()).isEqualTo(2);
        assertThat(plan.documents(0)).singleElement().satisfies(document ->
                assertThat(document).extracting(LedgerLine::lineNumber).containsExactly(1, 602));
        assertThat(plan.documents(1)).singleElement().satisfies(document -> assertThat(document).hasSize(600));
    }

    private static LedgerLine line(int number, String document) {
        return LedgerLine.of(number, Map.of(LedgerColumn.DOCUMENT_NUMBER, document));
    }
}
