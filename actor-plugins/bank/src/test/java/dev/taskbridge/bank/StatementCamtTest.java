package dev.taskbridge.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import org.junit.jupiter.api.Test;

/** camt.053 as banks deliver it: booked credits are payments, the rest is left out, bad entries are named. */
class StatementCamtTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = StatementCamtTest.class.getResourceAsStream("/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void bookedCreditsArePaymentsEachTransactionOfABatchItsOwn() throws Exception {
        StatementCamt.Read read = StatementCamt.read(resource("camt053-v02.xml"));
        List<StatementLine> lines = read.lines();

        LocalDate day = LocalDate.of(2026, 12, 1);
        assertThat(lines).containsExactly(
                new StatementLine(1, day, new BigDecimal("131.50"), "EUR", "Customer 3", "Invoice INV-1003"),
                new StatementLine(2, day, new BigDecimal("163.00"), "EUR", "Customer 6", "INV-1006"),
                new StatementLine(3, day, new BigDecimal("189.00"), "EUR", "Customer & Sons", "payment for INV-1008"),
                new StatementLine(4, day.plusDays(1), new BigDecimal("12.34"), "EUR", "", "Interest December"));
        assertThat(read.leftOut()).as("the debit and the pending entry").isEqualTo(2);
    }

    /**
     * What a real bank's file holds besides plain credits: a transfer of ours that bounced back
     * (a credit, but a reversal), a batch mixing directions, a batch that names no amounts per
     * transaction, a foreign payment whose instructed amount is not what was booked, interest of
     * nothing, and a reference the bank cut into lines of 35 characters.
     */
    @Test
    void reversalsDebitsAndZeroAmountsAreLeftOutAndTheBookedAmountIsWhatCounts() throws Exception {
        String continued = "Invoice INV-1003 for the November r"; // 35 characters, cut mid-word by the bank
        String xml = camt("""
                <Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
                  <BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>
                <Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls>
                    <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">70.00</Amt></TxAmt></AmtDtls><CdtDbtInd>CRDT</CdtDbtInd>
                      <RltdPties><Dbtr><Nm>A</Nm></Dbtr></RltdPties><RmtInf><Ustrd>first</Ustrd></RmtInf></TxDtls>
                    <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">20.00</Amt></TxAmt></AmtDtls><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>
                  </NtryDtls></Ntry>
                <Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>B</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV-1</Ustrd></RmtInf></TxDtls>
                    <TxDtls><RltdPties><Dbtr><Nm>B</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV-2</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
                <Ntry><Amt Ccy="EUR">92.10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="USD">100.00</Amt></InstdAmt></AmtDtls>
                    <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd><Ustrd>%s</Ustrd><Ustrd>ent</Ustrd></RmtInf>
                  </TxDtls></NtryDtls></Ntry>
                <Ntry><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>
                """.formatted(continued));

        StatementCamt.Read read = StatementCamt.read(xml.getBytes(StandardCharsets.UTF_8));

        LocalDate day = LocalDate.of(2026, 12, 1);
        assertThat(read.lines()).containsExactly(
                new StatementLine(1, day, new BigDecimal("70.00"), "EUR", "A", "first"),
                new StatementLine(2, day, new BigDecimal("30.00"), "EUR", "B", "INV-1 INV-2"),
                new StatementLine(3, day, new BigDecimal("92.10"), "EUR", "", "RF18539007547034 " + continued + "ent"));
        assertThat(read.leftOut()).as("the reversal, the debit of the batch, the 0.00").isEqualTo(3);
    }

    /** A problem is named where the clerk finds it in the file: the transaction's place in its entry. */
    @Test
    void aBadTransactionIsNamedByItsPlaceInTheEntryDebitsCountedIn() {
        String xml = camt("""
                <Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls>
                    <TxDtls><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>
                    <TxDtls><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
                    <TxDtls><Amt Ccy="EUR">12.345</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
                  </NtryDtls></Ntry>
                """);

        assertThatThrownBy(() -> StatementCamt.read(xml.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .extracting(FieldProblem::field).containsExactly("entry 1.transaction 3.amount"));
    }

    /** Banks cut remittance text into lines of 35: a line that starts with the space it was cut at keeps it. */
    @Test
    void referenceLinesAreJoinedAsTheBankCutThem() throws Exception {
        String first = "Payment of our invoice nr. INV-1003"; // 35 characters
        String xml = camt("""
                <Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls><TxDtls><RmtInf><Ustrd>%s</Ustrd><Ustrd> and INV-1004</Ustrd>
                    <Strd><RfrdDocInf><Nb>DOC-7</Nb></RfrdDocInf><CdtrRefInf><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd>
                  </RmtInf></TxDtls></NtryDtls></Ntry>
                """.formatted(first));

        assertThat(StatementCamt.read(xml.getBytes(StandardCharsets.UTF_8)).lines().get(0).reference())
                .isEqualTo("RF18 5390 0754 7034 DOC-7 Payment of our invoice nr. INV-1003 and INV-1004");
        assertThat(Invoices.named("Payment of our invoice nr. INV-1003 and INV-1004")).contains("INV-1003", "INV-1004");
    }

    @Test
    void aStatementInAnEnvelopeWithAnApplicationHeaderIsRead() throws Exception {
        String wrapped = "<Envelope><AppHdr xmlns=\"urn:iso:std:iso:20022:tech:xsd:head.001.001.02\"><BizMsgIdr>1</BizMsgIdr>"
                + "</AppHdr>" + camt("<Ntry><Amt Ccy=\"EUR\">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
                + "<BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>") + "</Envelope>";

        assertThat(StatementCamt.read(wrapped.getBytes(StandardCharsets.UTF_8)).lines()).hasSize(1);
        assertThatThrownBy(() -> StatementCamt.read(("<a>" + "<b>".repeat(100) + "</b>".repeat(100) + "</a>")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("nests elements deeper than 64 levels");
    }

    @Test
    void version08WithItsStatusCodesAndPartiesReadsTheSame() throws Exception {
        assertThat(StatementCamt.read(resource("camt053-v08.xml")).lines()).containsExactly(
                new StatementLine(1, LocalDate.of(2026, 12, 1), new BigDecimal("142.00"), "EUR", "Customer 4", "INV-1004 thank you"));
    }

    @Test
    void badEntriesAreNamedAndTheStatementIsRefusedWhole() {
        String xml = camt("""
                <Ntry><Amt Ccy="EUR">10.001</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>
                <Ntry><Amt Ccy="EURO">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>01.12.2026</Dt></BookgDt></Ntry>
                <Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
                  <NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">-1</Amt></TxAmt></AmtDtls></TxDtls>
                    <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">x</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls></Ntry>
                """);

        assertThatThrownBy(() -> StatementCamt.read(xml.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .extracting(FieldProblem::field).containsExactly("entry 1.amount", "entry 2.bookingDate",
                                "entry 2.currency", "entry 3.transaction 1.amount", "entry 3.transaction 2.amount"));
    }

    @Test
    void whatIsNotACamt053StatementIsRefusedSayingWhat() {
        assertThatThrownBy(() -> StatementCamt.read("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\"/>"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("is not a camt.053 statement: it has no Document in "
                + "urn:iso:std:iso:20022:tech:xsd:camt.053.");
        assertThatThrownBy(() -> StatementCamt.read("<Document><unclosed></Document>".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("is not well-formed XML");
        assertThatThrownBy(() -> StatementCamt.read(camt("<Ntry>").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("is not well-formed XML");
        assertThatThrownBy(() -> StatementCamt.read(camt("""
                <Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>
                """).getBytes(StandardCharsets.UTF_8))).hasMessageContaining("has no booked incoming payments (of 1 entries)");
    }

    /** No DTD, no entities: a file that asks to read the server's files, or to expand a billion times, is refused. */
    @Test
    void entitiesAreNeverExpanded() {
        String external = "<?xml version=\"1.0\"?><!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + camt("<Ntry><Amt Ccy=\"EUR\">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
                + "<BookgDt><Dt>2026-12-01</Dt></BookgDt><AddtlNtryInf>&x;</AddtlNtryInf></Ntry>");
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE Document [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + camt("<Ntry><AddtlNtryInf>&b;</AddtlNtryInf></Ntry>");

        for (String hostile : List.of(external, laughs)) {
            assertThatThrownBy(() -> StatementCamt.read(hostile.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("is not well-formed XML")
                    .hasMessageNotContaining("root:");
        }
    }

    private static String camt(String entries) {
        return "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt>" + entries
                + "</Stmt></BkToCstmrStmt></Document>";
    }
}
