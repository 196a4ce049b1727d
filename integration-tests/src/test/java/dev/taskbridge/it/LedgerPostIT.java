package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ledger.post} on the provisioned server with its demo books (chart of accounts, this
 * year's periods open, last year's closed): a 5,000-line CSV file is posted once; a file with
 * errors spread through it is refused whole, with every error, and nothing of it is posted.
 */
@ExtendWith(ArquillianExtension.class)
class LedgerPostIT {

    private static final String HEADER = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n";
    private static final String TODAY = LocalDate.now().toString();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.ear();
    }

    @Test
    void aFileOf5000LinesIsPostedOnceAndPostingItAgainIsRefusedAsDuplicates() {
        String prefix = uniquePrefix();
        String csv = supplies(prefix, 2_500, "12.34");

        JsonObject posted = post(csv);

        assertThat(posted.getString("status")).as(posted.toString().substring(0, 300)).isEqualTo("POSTED");
        assertThat(posted.getInt("postedDocumentCount")).isEqualTo(2_500);
        assertThat(posted.getInt("postedLineCount")).isEqualTo(5_000);
        assertThat(posted.getString("totalDebit")).isEqualTo("30850.00");
        assertThat(posted.getJsonArray("postedDocuments").getString(0)).isEqualTo(prefix + 1);

        JsonObject again = post(csv);

        assertThat(again.getString("status")).isEqualTo("REJECTED");
        assertThat(again.getInt("postedDocumentCount")).isZero();
        assertThat(again.getInt("invalidLineCount")).isEqualTo(5_000);
        JsonObject duplicate = again.getJsonArray("errors").getJsonObject(0);
        assertThat(duplicate.getString("field")).isEqualTo("documentNumber");
        assertThat(duplicate.getString("reason")).isEqualTo("is already posted by another task");
    }

    @Test
    void aFileWithErrorsSpreadThroughItIsRefusedWholeWithEveryErrorAndNothingIsPosted() {
        String prefix = uniquePrefix();
        String lastYear = LocalDate.now().minusYears(1).withDayOfMonth(15).toString();
        StringBuilder bad = new StringBuilder(HEADER);
        StringBuilder good = new StringBuilder(HEADER);
        for (int document = 1; document <= 500; document++) {
            String number = prefix + document;
            String account = document == 5 ? "1234" : document == 250 ? "1900" : "6000";
            String date = document == 495 ? lastYear : TODAY;
            String credit = document == 300 ? "99.00" : "100.00";
            bad.append(line(number, date, account, "100.00", "0", "services"))
                    .append(line(number, TODAY, "2000", "0", credit, "payable"));
            good.append(line(number, TODAY, "6000", "100.00", "0", "services"))
                    .append(line(number, TODAY, "2000", "0", "100.00", "payable"));
        }

        JsonObject refused = post(bad.toString());

        assertThat(refused.getString("status")).isEqualTo("REJECTED");
        assertThat(refused.getInt("postedDocumentCount")).isZero();
        assertThat(refused.getInt("postedLineCount")).isZero();
        List<String> errors = refused.getJsonArray("errors").getValuesAs(JsonObject.class).stream()
                .map(e -> e.getInt("line") + " " + e.getString("field") + " " + e.getString("value") + ": " + e.getString("reason"))
                .toList();
        assertThat(errors).containsExactly(
                "9 accountCode 1234: is not in the chart of accounts",
                "499 accountCode 1900: is a group account (Assets (group)) and takes no postings",
                "989 postingDate " + lastYear + ": falls in period " + lastYear.substring(0, 7) + ", which is closed",
                "990 postingDate " + TODAY + ": differs from the document's first line (" + lastYear
                        + "): a document has one posting date");
        // 300 is off by one; 5 and 250 because their invalid lines count for nothing
        assertThat(refused.getJsonArray("unbalancedDocuments").getValuesAs(jakarta.json.JsonString::getString))
                .containsExactlyInAnyOrder(prefix + 5, prefix + 250, prefix + 300);

        // Had anything been posted, the same document numbers would now be refused as duplicates.
        JsonObject corrected = post(good.toString());
        assertThat(corrected.getString("status")).as(corrected.getJsonArray("errors").toString()).isEqualTo("POSTED");
        assertThat(corrected.getInt("postedDocumentCount")).isEqualTo(500);
    }

    /**
     * The file that took the server down (issue #11): 100,000 junk lines, 1.5 MB, checked. Its
     * report used to hold every one of its errors, in memory, in the chunk's marker and in every
     * read of the task, until the heap ran out. Its errors, hundreds of thousands, are now read page
     * by page and downloaded whole, each found again from the file and written as it is found.
     */
    /**
     * A file of more documents than H2 takes in one array parameter (65,536): its check once FAILED
     * with "Value too long for column ARRAY" on H2, the embedded default, when the books were asked
     * which of its documents were posted already (bench/hostile-load.sh found it).
     */
    @Test
    void aFileOfSeventyThousandDocumentsIsCheckedAgainstTheBooksOnH2() {
        StringBuilder file = new StringBuilder(HEADER);
        for (int i = 0; i < 70_000; i++) {
            file.append("M").append(i).append(",2026-11-02,1000,CC1,1.00,0,EUR,one-sided\r\n");
        }
        Api clerk = Api.as("clerk");
        Api.Reply accepted = clerk.post("/task-types/ledger.post/tasks?checkOnly=true", "text/csv", file.toString());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(clerk.get(accepted.location()).object().getString("status")));

        JsonObject task = clerk.get(accepted.location()).object();
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        JsonObject result = task.getJsonObject("result");
        assertThat(result.getString("status")).as("checked against the books, not failed on asking them").isEqualTo("CHECKED");
    }

    @Test
    void aHundredThousandJunkLinesAreCheckedWithEveryErrorCountedAndTheServerKeepsAnswering() {
        StringBuilder junk = new StringBuilder(HEADER);
        for (int i = 0; i < 100_000; i++) {
            junk.append("!,x,x,!,x,x,x,\r\n");
        }
        Api clerk = Api.as("clerk");
        Api.Reply accepted = clerk.post("/task-types/ledger.post/tasks?checkOnly=true", "text/csv", junk.toString());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(clerk.get(accepted.location()).object().getString("status")));

        Api.Reply read = clerk.get(accepted.location());
        assertThat(read.body().length()).as("the task as GET returns it, characters").isLessThan(1_000_000);
        JsonObject task = read.object();
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        JsonObject result = task.getJsonObject("result");
        assertThat(result.getString("status")).isEqualTo("CHECKED");
        assertThat(result.getInt("invalidLineCount")).isEqualTo(100_000);
        assertThat(result.getInt("errorCount")).isGreaterThanOrEqualTo(100_000);
        assertThat(result.getInt("errorsListed")).isEqualTo(1000);
        int errorCount = result.getInt("errorCount");
        JsonObject lastPage = clerk.get(accepted.location() + "/errors?limit=1000&offset=" + (errorCount - 10)).object();
        assertThat(lastPage.getJsonNumber("total").longValue()).as("every error, found again page by page").isEqualTo(errorCount);
        assertThat(lastPage.getJsonArray("errors")).hasSize(10);
        assertThat(lastPage.getJsonArray("errors").getJsonObject(9).getInt("line")).isEqualTo(100_000);
        Api.Reply export = clerk.get(accepted.location() + "/exports/errors.csv");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body().lines()).as("the header and every error, written as found").hasSize(1 + errorCount);
        assertThat(clerk.get("/tasks?limit=50").status()).as("the clerk's list of tasks").isEqualTo(200);
    }

    @Test
    void aPostingCancelledAndRetriedWhileItsChunksRunPostsEveryDocumentOnceAndTheTypeStaysInService() {
        Api supervisor = Api.as("supervisor");
        Api.Reply accepted = supervisor.post("/task-types/ledger.post/tasks?chunkLines=3000", "text/csv",
                supplies(uniquePrefix(), 30_000, "1.00"));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String task = accepted.location();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() ->
                supervisor.get(task).object().getJsonObject("progress").getInt("chunksDone") >= 1);

        // the operator's routine: cancel the running posting, then retry it at once
        Api.Reply cancelled = supervisor.post(task + "/cancel", "text/plain", "");
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        Api.Reply retried = supervisor.post(task + "/retry", "text/plain", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(200);

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(supervisor.get(task).object().getString("status")));
        JsonObject done = supervisor.get(task).object();
        assertThat(done.getString("status")).as(done.toString().substring(0, Math.min(500, done.toString().length())))
                .isEqualTo("SUCCEEDED");
        JsonObject result = done.getJsonObject("result");
        assertThat(result.getString("status")).isEqualTo("POSTED");
        assertThat(result.getInt("postedDocumentCount")).isEqualTo(30_000);
        assertThat(result.getInt("postedLineCount")).isEqualTo(60_000);
        assertThat(result.getString("totalDebit")).isEqualTo("30000.00");
        assertThat(done.getInt("attempts")).isGreaterThanOrEqualTo(2);

        // the type is still served: its slot is alive, readiness is UP, and the next file posts
        assertThat(Api.as("admin").get("/admin/engine").object().getJsonObject("liveSlotActors").getInt("ledger.post"))
                .isPositive();
        assertThat(Health.check(Health.SERVER, "ready", "taskbridge-engine").getString("status")).isEqualTo("UP");
        assertThat(post(supplies(uniquePrefix(), 1, "5.00")).getString("status")).isEqualTo("POSTED");
    }

    /** A valid file of {@code documents} balanced documents, today: supplies debited, payable credited. */
    private static String supplies(String prefix, int documents, String amount) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int document = 1; document <= documents; document++) {
            csv.append(line(prefix + document, TODAY, "6100", amount, "0", "supplies"))
                    .append(line(prefix + document, TODAY, "2000", "0", amount, "payable"));
        }
        return csv.toString();
    }

    private static String uniquePrefix() {
        return "T" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    private static String line(String document, String date, String account, String debit, String credit, String text) {
        return String.join(",", document, date, account, "CC1", debit, credit, "EUR", text) + "\r\n";
    }

    private static JsonObject post(String csv) {
        Api clerk = Api.as("clerk");
        Api.Reply accepted = clerk.post("/task-types/ledger.post/tasks", "text/csv", csv);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(clerk.get(accepted.location()).object().getString("status")));
        JsonObject task = clerk.get(accepted.location()).object();
        assertThat(task.getString("status")).as(task.toString()).isEqualTo("SUCCEEDED");
        return task.getJsonObject("result");
    }
}
