package dev.taskbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.taskbridge.it.plugin.RowWritingTaskType;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The clerk's pages in a real browser (headless Chromium) against the deployed EAR: log in,
 * upload and check a 5,000-line file, confirm, and watch it post without reloading; see every
 * error of a bad file; clerks see their own tasks only; a supervisor retries a failed task; hostile
 * input gets a message, never a 500. Each test leaves a screenshot in {@code target/screenshots}.
 */
@ExtendWith(ArquillianExtension.class)
class ClerkPagesIT {

    private static final String HEADER = "documentNumber,postingDate,accountCode,costCenter,debit,credit,currency,description\r\n";
    private static final String TODAY = LocalDate.now().toString();
    private static final Path FILES = Path.of(System.getProperty("taskbridge.ear")).getParent().resolve("upload-files");

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.earWithTestPlugins();
    }

    @Test
    void aClerkChecksA5000LineFileConfirmsAndWatchesItPostWithoutReloading() throws Exception {
        String prefix = "UI" + UUID.randomUUID().toString().substring(0, 6) + "-";
        StringBuilder csv = new StringBuilder(HEADER);
        for (int document = 1; document <= 2_500; document++) {
            csv.append(line(prefix + document, "6100", "12.34", "0", "supplies"))
                    .append(line(prefix + document, "2000", "0", "12.34", "payable"));
        }
        Path file = file("ledger-5000.csv", csv.toString());

        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/submit.xhtml?type=ledger.post");
            browser.driver().findElement(By.id("submit:file")).sendKeys(file.toString());
            new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("submit:priority")))
                    .selectByVisibleText("High: before the usual tasks waiting");
            browser.driver().findElement(By.id("submit:order-key")).sendKeys("account 6100");
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.id("verdict"), "The file is valid: 5,000 lines.");
            assertThat(browser.text(By.id("figures"))).contains("Debit", "30,850.00");
            browser.screenshot("upload-checked");

            WebElement post = browser.driver().findElement(By.id("checked:confirm"));
            assertThat(post.getAttribute("value")).isEqualTo("Post this file");
            post.click();
            browser.waitFor(By.id("task-id"));
            Object loadedAt = browser.script("return window.taskbridgeLoadedAt;");
            Set<String> seen = watchProgressUntilSucceeded(browser);
            browser.waitForText(By.cssSelector(".field-status"), "POSTED");
            browser.screenshot("posting-succeeded");
            assertThat(browser.text(By.id("task-priority"))).as("the posting keeps the priority its check was given")
                    .startsWith("50 ");
            assertThat(browser.text(By.id("task-order-key"))).as("and the order key").startsWith("account 6100 ");

            assertThat(browser.driver().findElement(By.id("progress")).getAttribute("aria-valuenow")).isEqualTo("100");
            assertThat(browser.script("return window.taskbridgeLoadedAt;")).as("the page was not reloaded").isEqualTo(loadedAt);
            assertThat(seen).as("progress values the page showed").contains("100");
            assertThat(browser.text(By.cssSelector(".field-postedDocumentCount"))).isEqualTo("2500");
            assertThat(browser.text(By.id("verdict"))).as("the result as a clerk would say it")
                    .isEqualTo("2,500 documents, 5,000 lines posted; debit and credit EUR 30,850.00 each.");
            assertThat(browser.driver().findElements(By.cssSelector("a.export"))).as("no errors, so no list of them to download")
                    .isEmpty();
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li")))
                    .extracting(WebElement::getText).anySatisfy(entry -> assertThat(entry).contains("SUCCEEDED"));

            // the order key leads to the list of its tasks (the check and the posting, and those of earlier runs), no others
            String postingId = browser.text(By.id("task-id"));
            browser.driver().findElement(By.id("task:order-key-tasks")).click();
            browser.waitFor(By.id("live:counts"));
            assertThat(browser.driver().findElement(By.id("filters:orderKey")).getAttribute("value")).isEqualTo("account 6100");
            assertThat(browser.driver().findElements(By.cssSelector("tr.task-row .order-key")))
                    .extracting(WebElement::getText).isNotEmpty().containsOnly("key account 6100");
            assertThat(browser.driver().findElements(By.cssSelector("a.task-link"))).extracting(WebElement::getText)
                    .contains(postingId);
        }
    }

    /**
     * The second plugin through the pages that know no task type: chosen from the list of forms,
     * its option set on the form its plugin describes, watched live, its export downloaded.
     */
    @Test
    void aClerkImportsABankStatementFromTheFormItsPluginDescribes() throws Exception {
        StringBuilder statement = new StringBuilder("bookingDate,amount,currency,counterparty,reference\r\n");
        for (int n = 1; n <= 12; n++) {
            statement.append("2026-12-01,").append(n).append(".01,EUR,Payer ").append(n).append(",=SUM(A1:A2) ")
                    .append(UUID.randomUUID()).append("\r\n");
        }
        Path file = file("statement.csv", statement.toString());

        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/upload.xhtml"); // a bookmark of the page before forms: it lands on the list of them
            browser.waitFor(By.linkText("Import a bank statement"));
            assertThat(browser.driver().getCurrentUrl()).contains("/submit.xhtml");
            browser.driver().findElement(By.linkText("Import a bank statement")).click();
            browser.waitFor(By.id("submit:file")).sendKeys(file.toString());
            WebElement chunkLines = browser.driver().findElement(By.cssSelector("#option-chunkLines input"));
            assertThat(chunkLines.getAttribute("value")).as("the plugin's default").isEqualTo("500");
            chunkLines.clear();
            chunkLines.sendKeys("2");
            browser.screenshot("bank-form");
            browser.driver().findElement(By.id("submit:send")).click();

            browser.waitFor(By.id("task-id"));
            Set<String> seen = watchProgressUntilSucceeded(browser);
            assertThat(browser.text(By.id("task-type"))).isEqualTo("bank.import");
            assertThat(browser.driver().findElement(By.id("progress")).getAttribute("aria-valuenow")).isEqualTo("100");
            assertThat(seen).contains("100");
            browser.waitForText(By.id("verdict"), "12 payments: 0 matched to their invoices; 12 to settle by hand.");
            assertThat(browser.text(By.id("figures"))).contains("No invoice found", "12");
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li .kind"))).extracting(WebElement::getText)
                    .as("six chunks of two payments: the form's option reached the plugin").filteredOn("CHUNK_COMMITTED"::equals).hasSize(6);
            browser.screenshot("bank-imported");

            Browser.Download payments = browser.download(By.id("download-payments.csv"));
            assertThat(payments.name()).isEqualTo(browser.text(By.id("task-id")) + "-payments.csv");
            List<String> lines = new String(payments.content(), StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(13);
            assertThat(lines.get(0)).isEqualTo("\uFEFFline,bookingDate,amount,currency,counterparty,reference,invoice,outcome");
            assertThat(lines.get(1)).startsWith("2,2026-12-01,1.01,EUR,Payer 1,'=SUM(A1:A2) ").endsWith(",,UNMATCHED");

            // the bank's own format through the same form: Chromium sends a .xml as text/xml, the plugin takes it
            Path camt = file("statement.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Ntry>"
                    + "<Amt Ccy=\"EUR\">2.02</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>"
                    + "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Payer X</Nm></Dbtr></RltdPties><RmtInf><Ustrd>" + UUID.randomUUID()
                    + "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>");
            browser.go("/submit.xhtml?type=bank.import");
            browser.driver().findElement(By.id("submit:file")).sendKeys(camt.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitFor(By.id("task-id"));
            browser.waitForText(By.id("verdict"), "1 payment: 0 matched to their invoices; 1 to settle by hand.");
        }
    }

    @Test
    void theTaskPageFollowsProgressLiveChunkByChunk() throws Exception {
        try (Browser browser = Browser.open().logIn("clerk")) {
            String id = Api.as("clerk").post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=6,rows=1,sleepMillis=800")
                    .object().getString("id");
            browser.go("/task.xhtml?id=" + id);
            Object loadedAt = browser.script("return window.taskbridgeLoadedAt;");
            Set<String> seen = watchProgressUntilSucceeded(browser);
            browser.screenshot("task-live-progress");

            assertThat(browser.script("return window.taskbridgeLoadedAt;")).as("the page was not reloaded").isEqualTo(loadedAt);
            assertThat(seen).as("progress pushed to the page while the task ran: " + seen).hasSizeGreaterThanOrEqualTo(4)
                    .contains("100");
            browser.waitFor(By.cssSelector(".field-rows")); // the result, drawn when the task ended
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li .kind")))
                    .extracting(WebElement::getText).filteredOn("CHUNK_COMMITTED"::equals).hasSize(6);
        }
    }

    @Test
    void aFileWithErrorsListsEveryErrorEscapedAndCannotBePosted() throws Exception {
        String prefix = "UE" + UUID.randomUUID().toString().substring(0, 6) + "-";
        String markup = "<script>window.injected=1</script><b>bold</b>";
        Path file = file("ledger-errors.csv", HEADER
                + line(prefix + 1, "6100", "10.00", "0", "supplies").replace(",CC1,", "," + markup + ",")
                + line(prefix + 1, "1234", "0", "10.00", "unknown account")
                + line(prefix + 2, "6100", "5.005", "0", "too precise")
                + line(prefix + 2, "2000", "0", "5.00", "payable"));

        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/submit.xhtml?type=ledger.post");
            browser.driver().findElement(By.id("submit:file")).sendKeys(file.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.id("verdict"), "The file has errors: 3 of 4 lines are wrong; 1 document does not balance.");
            browser.screenshot("upload-errors");

            List<String> errors = new ArrayList<>();
            for (WebElement row : browser.driver().findElements(By.cssSelector("#table-errors tbody tr"))) {
                errors.add(String.join(" | ", row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()));
            }
            assertThat(errors).containsExactly(
                    "1 | costCenter | " + markup + " | must be at most 10 characters",
                    "2 | accountCode | 1234 | is not in the chart of accounts",
                    "3 | debit | 5.005 | must have at most 2 decimal places");
            assertThat(browser.script("return window.injected === undefined;")).as("the markup did not run").isEqualTo(true);
            assertThat(browser.driver().findElements(By.cssSelector("#table-errors b"))).as("nor was it drawn").isEmpty();
            assertThat(browser.driver().findElements(By.id("checked:confirm"))).as("no post button for a refused file").isEmpty();
            assertThat(browser.driver().findElement(By.cssSelector("a.export")).getAttribute("href")).endsWith("/exports/errors.csv");

            // checked again to post the valid documents only: every document has an error, so there is nothing to confirm
            browser.driver().findElement(By.cssSelector("#option-onErrors input[value='post-valid-documents']")).click();
            browser.driver().findElement(By.id("submit:file")).sendKeys(file.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.cssSelector("p.note"), "No document is without errors: posting would post nothing.");
            assertThat(browser.driver().findElements(By.id("checked:confirm"))).isEmpty();
        }
    }

    @Test
    void aSecondClerkDoesNotSeeTheFirstClerksTask() throws Exception {
        String id = Api.as("clerk").post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain", "chunks=1,rows=1,sleepMillis=0")
                .object().getString("id");

        try (Browser browser = Browser.open().logIn("clerk2")) {
            browser.go("/index.xhtml");
            browser.waitFor(By.id("live:counts"));
            assertThat(browser.driver().getPageSource()).doesNotContain(id);
            browser.go("/task.xhtml?id=" + id);
            browser.waitForText(By.id("messages"), "There is no task " + id + " that you may see.");
            assertThat(browser.driver().findElements(By.id("task-id"))).isEmpty();
            browser.screenshot("second-clerk-not-found");
        }
        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/index.xhtml");
            browser.waitFor(By.linkText(id));
        }
    }

    @Test
    void aSupervisorSeesTheStackTraceAndRetriesAFailedTask() throws Exception {
        String id = Api.as("clerk").post("/task-types/" + RowWritingTaskType.ID + "/tasks", "text/plain",
                "chunks=3,rows=2,sleepMillis=0,failOnceAtChunk=1").object().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                Api.as("clerk").get("/tasks/" + id).object().getString("status").equals("FAILED"));

        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/task.xhtml?id=" + id);
            browser.waitFor(By.id("error-message"));
            assertThat(browser.driver().findElements(By.id("stack-trace"))).as("clerks see no stack trace").isEmpty();
            assertThat(browser.driver().findElements(By.id("task:retry"))).as("clerks may not retry").isEmpty();
            assertThat(browser.driver().findElements(By.id("task:rollback"))).as("nor roll back").isEmpty();
        }
        try (Browser browser = Browser.open().logIn("supervisor")) {
            browser.go("/task.xhtml?id=" + id);
            assertThat(browser.waitFor(By.id("stack-trace")).getText()).contains("chunk 1 fails this once (on purpose)");
            assertThat(browser.text(By.id("error-reference"))).matches("TB-[0-9A-Z]{8}");
            browser.screenshot("supervisor-failed-task");

            browser.driver().findElement(By.id("task:retry")).click();
            browser.waitForText(By.id("task-status"), "SUCCEEDED");
            browser.waitForText(By.id("task-attempts"), "2");
            browser.screenshot("supervisor-retried-task");
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li")))
                    .extracting(WebElement::getText)
                    .anySatisfy(entry -> assertThat(entry).contains("REQUEUED").contains("by supervisor"));
            // chunk 0 committed in the first run and is not run again: each chunk shows once, when it committed
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li .kind"))).extracting(WebElement::getText)
                    .containsExactly("SUBMITTED", "STARTED", "CHUNK_COMMITTED", "FAILED", "REQUEUED", "STARTED",
                            "CHUNK_COMMITTED", "CHUNK_COMMITTED", "SUCCEEDED");

            // and rolls it back (note 030): a task of its own, found from the message
            browser.driver().findElement(By.id("task:rollback")).click();
            browser.driver().switchTo().alert().accept();
            browser.waitForText(By.id("messages"), "Rolled back by task ");
            String rollback = browser.text(By.id("messages")).replaceAll("(?s).*Rolled back by task ([0-9a-f-]{36}).*", "$1");
            // the rollback runs as the task's owner: the task's own timeline says who asked for it
            assertThat(browser.driver().findElements(By.cssSelector("#timeline li"))).extracting(WebElement::getText)
                    .anySatisfy(entry -> assertThat(entry).contains("ROLLBACK_REQUESTED").contains("by supervisor: task " + rollback));
            browser.go("/task.xhtml?id=" + rollback);
            browser.waitForText(By.id("task-status"), "SUCCEEDED");
            assertThat(browser.text(By.id("task-type"))).isEqualTo(RowWritingTaskType.ID);
            browser.screenshot("supervisor-rolled-back-task");
        }
    }

    @Test
    void hostileUploadsGetAMessageOnThePageNeverAServerError() throws Exception {
        Files.createDirectories(FILES);
        Path picture = Files.write(FILES.resolve("not-a-ledger.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        Path brokenCsv = file("broken.csv", HEADER + "D1," + TODAY + ",1000,CC1,\"1.00,0,EUR,unterminated\r\n");
        Path huge = FILES.resolve("huge.csv");
        Files.write(huge, new byte[21 * 1024 * 1024]);

        try (Browser browser = Browser.open().logIn("clerk")) {
            browser.go("/submit.xhtml?type=ledger.post");
            browser.driver().findElement(By.id("submit:file")).sendKeys(picture.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.id("messages"), "The file must be CSV (.csv) or JSON (.json)");

            browser.driver().findElement(By.id("submit:file")).sendKeys(brokenCsv.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.id("messages"), "is not valid CSV");
            browser.screenshot("upload-malformed-csv");

            browser.driver().findElement(By.id("submit:file")).sendKeys(huge.toString());
            browser.driver().findElement(By.id("submit:send")).click();
            browser.waitForText(By.id("error-message"), "The request is larger than 20 MiB.");
            browser.screenshot("upload-too-large");
            assertThat(browser.driver().getPageSource()).doesNotContain("Exception").doesNotContain("at dev.taskbridge");
        } finally {
            Files.deleteIfExists(huge);
        }
    }

    @Test
    void pagesNeedALoginAndTheOperatorsPageNeedsTheAdminRole() throws Exception {
        try (Browser browser = Browser.open()) {
            browser.go("/task.xhtml?id=x");
            browser.waitFor(By.id("login:username"));
            assertThat(browser.driver().getCurrentUrl()).contains("/login.xhtml?next=");
            assertThat(browser.driver().findElements(By.id("build"))).as("no version for those who did not log in").isEmpty();

            browser.driver().findElement(By.id("login:username")).sendKeys("clerk");
            browser.driver().findElement(By.id("login:password")).sendKeys("wrong");
            browser.driver().findElement(By.id("login:submit")).click();
            browser.waitForText(By.id("messages"), "The user name or the password is wrong.");

            browser.logIn("clerk");
            assertThat(browser.text(By.id("build"))).as("every page says what answered, to clerks too")
                    .contains("Taskbridge " + ExpectedBuild.version(), "commit " + ExpectedBuild.commit(), "node ", "profile dev");
            browser.go("/types.xhtml");
            browser.waitForText(By.id("error-message"), "You may not do this.");
        }
        try (Browser browser = Browser.open().logIn("admin")) {
            browser.go("/types.xhtml");
            browser.waitFor(By.id("types"));
            assertThat(browser.text(By.id("types"))).contains("ledger.post", "dev.taskbridge.ledger.LedgerPostTaskType");
            assertThat(browser.text(By.id("plugins"))).contains("ledger.post",
                    ExpectedBuild.pluginJarInEar("taskbridge-ledger").checksum());

            // an admin pauses a type on the page and resumes it
            try {
                browser.driver().findElement(By.xpath(AUDIT_ROW + "//input[@value='Pause']")).click();
                browser.waitForText(By.id("messages"), "it.audit is paused");
                assertThat(browser.text(By.id("types"))).contains("paused since", "by admin");
                browser.go("/submit.xhtml?type=it.audit");
                browser.waitForText(By.id("messages"), "it.audit is paused since");
                assertThat(browser.text(By.id("messages"))).contains("runs when it is resumed");
                browser.go("/types.xhtml");
                browser.waitFor(By.id("types"));
                browser.driver().findElement(By.xpath(AUDIT_ROW + "//input[@value='Resume']")).click();
                browser.waitForText(By.id("messages"), "it.audit runs again");
                assertThat(Api.as("admin").get("/task-types").json().asJsonArray().getValuesAs(jakarta.json.JsonObject.class))
                        .allSatisfy(type -> assertThat(type.get("paused")).as(type.getString("id")).isNull());
            } finally {
                Api.as("admin").post("/task-types/it.audit/resume", null, ""); // a failure here must not hold up the other tests
            }
            browser.screenshot("task-types");
        }
    }

    /** The row of the task types page for {@code it.audit}. */
    private static final String AUDIT_ROW = "//table[@id='types']//tr[td[1][normalize-space()='it.audit']]";

    /** The progress values the page shows, in order, until it says SUCCEEDED. */
    private static Set<String> watchProgressUntilSucceeded(Browser browser) {
        Set<String> seen = new LinkedHashSet<>();
        browser.waitUntil(driver -> {
            // the status first: the page sets it after the progress, so a SUCCEEDED comes with its 100
            boolean succeeded = "SUCCEEDED".equals(driver.findElement(By.id("task-status")).getText());
            seen.add(driver.findElement(By.id("progress")).getAttribute("aria-valuenow"));
            return succeeded;
        });
        return seen;
    }

    private static String line(String document, String account, String debit, String credit, String description) {
        return String.join(",", document, TODAY, account, "CC1", debit, credit, "EUR", description) + "\r\n";
    }

    private static Path file(String name, String content) throws IOException {
        Files.createDirectories(FILES);
        return Files.writeString(FILES.resolve(name), content, StandardCharsets.UTF_8);
    }
}
