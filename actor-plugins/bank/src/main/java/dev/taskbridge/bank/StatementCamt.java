package dev.taskbridge.bank;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;

/**
 * Reads a bank statement as ISO 20022 {@code camt.053} XML (Bank to Customer Statement, versions
 * 001.02 to 001.08, as European banks deliver them; the {@code Document} may sit in an envelope
 * with a business application header). Each booked credit entry ({@code Ntry}: {@code CdtDbtInd}
 * CRDT, status BOOK) is an incoming payment; an entry that batches transactions
 * ({@code NtryDtls/TxDtls}, each with its booked amount) is one payment per transaction.
 *
 * <p>Left out, and counted: debits (outgoing payments), reversals ({@code RvslInd}: a transfer of
 * ours that bounced back is no customer's payment), entries not booked yet, transactions booked
 * as debits within a credit entry, and amounts of zero ({@link Read#leftOut} counts entries and
 * transactions). The payer is the debtor's name; the reference is the structured creditor
 * reference first (the most reliable), then the referred document numbers, then the unstructured
 * lines, joined as the bank split them (a line of 35 or 140 characters is continued as it is, as
 * banks cut MT940 text), cut at
 * {@value StatementCsv#MAX_TEXT} characters: a bank's file cannot be corrected by the clerk, so it
 * is cut, not refused, where a CSV of the clerk's own is refused.
 *
 * <p>No DTD and no entities (a statement is from outside: neither an external entity nor an
 * expansion is read), and at most {@value #MAX_DEPTH} levels of nesting. A statement with any bad
 * entry is refused whole, each bad field named by its entry ({@code entry 3.amount}).
 */
final class StatementCamt {

    static final String NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.";
    /** A statement nests about a dozen levels; more is not a statement. */
    static final int MAX_DEPTH = 64;

    private StatementCamt() {
    }

    /** What a statement holds: its payments, and how many of its entries and transactions were left out. */
    record Read(List<StatementLine> lines, int leftOut) {
    }

    /** A transaction of an entry as read so far. */
    private static final class Transaction {
        String amount;
        String currency;
        String direction;
        String debtor = "";
        final List<String> creditorReferences = new ArrayList<>();
        final List<String> referredDocuments = new ArrayList<>();
        /** The unstructured lines as the bank wrote them, spaces at their ends kept: a cut line may end or start with one. */
        final List<String> unstructured = new ArrayList<>();

        /**
         * The creditor references first (the most reliable), then the referred documents' numbers,
         * then the lines as the bank split them: a line of 35 or 140 characters, the lengths banks
         * cut text at, is continued by the next one as it is; other lines are joined by a space.
         */
        String reference() {
            List<String> parts = new ArrayList<>(creditorReferences);
            parts.addAll(referredDocuments);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < unstructured.size(); i++) {
                String previous = i == 0 ? null : unstructured.get(i - 1);
                boolean continued = previous != null && (previous.length() == 35 || previous.length() == 140);
                if (previous != null && !continued) {
                    lines.append(' ');
                }
                lines.append(unstructured.get(i));
            }
            parts.add(lines.toString().strip());
            return String.join(" ", parts.stream().filter(part -> !part.isBlank()).toList());
        }
    }

    /** An entry ({@code Ntry}) as read so far. */
    private static final class Entry {
        final int number;
        String amount;
        String currency;
        String direction;
        String status;
        boolean reversal;
        String bookingDate;
        /** The entry's own text, the reference of a payment whose transaction has none. */
        String additionalInfo = "";
        final List<Transaction> transactions = new ArrayList<>();

        Entry(int number) {
            this.number = number;
        }
    }

    static Read read(byte[] xml) throws InvalidPayloadException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        List<StatementLine> lines = new ArrayList<>();
        List<FieldProblem> problems = new ArrayList<>();
        int[] leftOut = {0};
        int[] badEntries = {0};
        StringBuilder path = new StringBuilder();
        int depth = 0;
        int documentDepth = -1;
        boolean statementSeen = false;
        Entry entry = null;
        Transaction transaction = null;
        int entries = 0;
        StringBuilder text = new StringBuilder();
        String amountCurrency = null;
        try {
            XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(xml));
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String name = reader.getLocalName();
                    if (++depth > MAX_DEPTH) {
                        throw new InvalidPayloadException("body", "nests elements deeper than " + MAX_DEPTH
                                + " levels: it is not a camt.053 statement");
                    }
                    if (documentDepth < 0) {
                        // outside the statement's Document (an envelope, an application header): not read
                        String namespace = reader.getNamespaceURI();
                        if (name.equals("Document") && namespace != null && namespace.startsWith(NAMESPACE_PREFIX)) {
                            documentDepth = depth;
                            statementSeen = true;
                        }
                        continue;
                    }
                    path.append('/').append(name);
                    if (name.equals("Ntry")) {
                        entry = new Entry(++entries);
                    } else if (entry != null && name.equals("TxDtls")) {
                        transaction = new Transaction();
                        entry.transactions.add(transaction);
                    } else if (name.equals("Amt")) {
                        amountCurrency = reader.getAttributeValue(null, "Ccy");
                    }
                    text.setLength(0);
                } else if ((event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA) && documentDepth > 0) {
                    text.append(reader.getText());
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                    if (documentDepth < 0) {
                        continue;
                    }
                    if (depth < documentDepth) {
                        documentDepth = -1; // the Document ended
                        continue;
                    }
                    String name = reader.getLocalName();
                    // an element's own text: what came since the last tag (only whitespace for one with children)
                    String own = text.toString().strip();
                    if (entry != null && name.equals("Amt")) {
                        amount(entry, transaction, path, amountCurrency, own);
                    } else if (transaction != null && name.equals("Ustrd") && !own.isEmpty()) {
                        transaction.unstructured.add(text.toString());
                    } else if (entry != null && !own.isEmpty()) {
                        leaf(entry, transaction, path, own);
                    }
                    if (name.equals("TxDtls")) {
                        transaction = null;
                    } else if (name.equals("Ntry") && entry != null) {
                        int before = problems.size();
                        payments(entry, lines, problems, leftOut);
                        if (problems.size() > before) {
                            badEntries[0]++;
                        }
                        entry = null;
                    }
                    path.setLength(path.lastIndexOf("/"));
                    text.setLength(0);
                }
            }
            reader.close();
        } catch (XMLStreamException e) {
            throw new InvalidPayloadException("body", "is not well-formed XML: " + e.getMessage());
        }
        if (!statementSeen) {
            throw new InvalidPayloadException("body", "is not a camt.053 statement: it has no Document in "
                    + NAMESPACE_PREFIX + "...");
        }
        if (!problems.isEmpty()) {
            List<FieldProblem> listed = new ArrayList<>(problems.subList(0, Math.min(problems.size(), StatementCsv.MAX_PROBLEMS)));
            if (problems.size() > StatementCsv.MAX_PROBLEMS) {
                listed.add(new FieldProblem("body", badEntries[0] + " entries are wrong in all; the first "
                        + StatementCsv.MAX_PROBLEMS + " problems are listed"));
            }
            throw new InvalidPayloadException(listed);
        }
        if (lines.isEmpty()) {
            throw new InvalidPayloadException("body", "has no booked incoming payments (of " + entries + " entries)");
        }
        return new Read(List.copyOf(lines), leftOut[0]);
    }

    private static void amount(Entry entry, Transaction transaction, CharSequence path, String currency, String amount) {
        String at = path.toString();
        if (transaction == null && at.endsWith("/Ntry/Amt")) {
            entry.amount = amount;
            entry.currency = currency;
        } else if (transaction != null && (at.endsWith("/TxDtls/Amt") || at.endsWith("/TxDtls/AmtDtls/TxAmt/Amt"))) {
            // the amount booked on the account; an instructed amount (InstdAmt) may be in another currency
            transaction.amount = amount;
            transaction.currency = currency;
        }
    }

    private static void leaf(Entry entry, Transaction transaction, CharSequence path, String text) {
        String at = path.toString();
        if (transaction == null) {
            if (at.endsWith("/Ntry/CdtDbtInd")) {
                entry.direction = text;
            } else if (at.endsWith("/Ntry/RvslInd")) {
                entry.reversal = text.equals("true") || text.equals("1");
            } else if (at.endsWith("/Ntry/Sts") || at.endsWith("/Ntry/Sts/Cd")) {
                entry.status = text;
            } else if ((at.endsWith("/Ntry/BookgDt/Dt") || at.endsWith("/Ntry/BookgDt/DtTm")) && entry.bookingDate == null) {
                entry.bookingDate = text;
            } else if (at.endsWith("/Ntry/AddtlNtryInf")) {
                entry.additionalInfo = text;
            }
            return;
        }
        if (at.endsWith("/TxDtls/CdtDbtInd")) {
            transaction.direction = text;
        } else if (at.endsWith("/RltdPties/Dbtr/Nm") || at.endsWith("/RltdPties/Dbtr/Pty/Nm")) {
            transaction.debtor = text;
        } else if (at.endsWith("/RmtInf/Strd/CdtrRefInf/Ref")) {
            transaction.creditorReferences.add(text);
        } else if (at.endsWith("/RmtInf/Strd/RfrdDocInf/Nb")) {
            transaction.referredDocuments.add(text);
        }
    }

    /** The entry's payments, if it is a booked credit; its problems named; what is left out counted. */
    private static void payments(Entry entry, List<StatementLine> lines, List<FieldProblem> problems, int[] leftOut) {
        if (!"CRDT".equals(entry.direction) || entry.reversal || entry.status != null && !entry.status.equals("BOOK")) {
            leftOut[0]++;
            return;
        }
        String where = "entry " + entry.number + ".";
        LocalDate date = null;
        try {
            date = LocalDate.parse(entry.bookingDate == null ? "" : entry.bookingDate.substring(0, Math.min(10,
                    entry.bookingDate.length())));
        } catch (DateTimeParseException e) {
            problems.add(new FieldProblem(where + "bookingDate", "must be a day (BookgDt/Dt), was '" + entry.bookingDate + "'"));
        }
        // each payment with where a problem of its amount is to be found: its transaction's place in the entry, or the entry
        List<Transaction> credits = new ArrayList<>();
        List<String> places = new ArrayList<>();
        boolean batch = entry.transactions.size() > 1;
        for (int i = 0; i < entry.transactions.size(); i++) {
            Transaction transaction = entry.transactions.get(i);
            if ("DBIT".equals(transaction.direction)) {
                leftOut[0]++;
            } else {
                credits.add(transaction);
                places.add(batch ? where + "transaction " + (i + 1) + "." : where);
            }
        }
        if (batch && credits.stream().anyMatch(transaction -> transaction.amount == null)) {
            // a batch whose transactions do not all say their amounts: one payment of the entry's amount
            Transaction whole = new Transaction();
            Set<String> debtors = new LinkedHashSet<>();
            List<String> references = new ArrayList<>();
            for (Transaction transaction : credits) {
                debtors.add(transaction.debtor);
                references.add(transaction.reference());
            }
            whole.debtor = debtors.size() == 1 ? debtors.iterator().next() : "";
            whole.creditorReferences.add(String.join(" ", references.stream().filter(text -> !text.isEmpty()).toList()));
            credits = List.of(whole);
            places = List.of(where);
            batch = false;
        }
        if (entry.transactions.isEmpty()) {
            credits = List.of(new Transaction());
            places = List.of(where);
        }
        for (int i = 0; i < credits.size(); i++) {
            Transaction transaction = credits.get(i);
            String at = places.get(i);
            // a transaction of a batch says its own booked amount; a lone payment is the entry's amount
            String amountText = batch ? transaction.amount : entry.amount;
            String currencyText = batch ? transaction.currency : entry.currency;
            if (isZero(amountText)) {
                leftOut[0]++; // a booking of nothing, such as interest of 0.00, pays no invoice
                continue;
            }
            BigDecimal amount = StatementLine.amount(amountText, at + "amount", problems);
            String currency = StatementLine.currency(currencyText, at + "currency", problems);
            if (date != null && amount != null && currency != null) {
                String reference = transaction.reference();
                lines.add(new StatementLine(lines.size() + 1, date, amount, currency, cut(transaction.debtor),
                        cut(reference.isEmpty() ? entry.additionalInfo : reference)));
            }
        }
    }

    private static boolean isZero(String amount) {
        try {
            return amount != null && new BigDecimal(amount).signum() == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String cut(String text) {
        return text.length() <= StatementCsv.MAX_TEXT ? text : text.substring(0, StatementCsv.MAX_TEXT);
    }
}
