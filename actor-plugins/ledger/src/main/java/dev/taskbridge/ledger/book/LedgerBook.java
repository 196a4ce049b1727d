package dev.taskbridge.ledger.book;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.naming.InitialContext;
import javax.naming.NamingException;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Query;
import org.hibernate.Session;
import org.hibernate.StatelessSession;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.generator.BeforeExecutionGenerator;
import org.hibernate.generator.EventType;

/**
 * The ledger's books, through the server's persistence unit {@code ledger} (Hibernate, as
 * WildFly provides it). Opened inside a chunk's JTA transaction, its entity manager joins it: what
 * is posted commits with the chunk's effect marker, or not at all.
 */
public final class LedgerBook implements Books {

    /** Where the server binds the unit's factory (persistence.xml). */
    public static final String FACTORY = "java:jboss/taskbridge/ledger";

    /** Rows per JDBC batch: a default posting chunk's documents in one, its lines in one. */
    static final int BATCH = 1_000;

    /** Document numbers looked up per query: well below H2's largest array (65,536 elements). */
    static final int NUMBERS_PER_QUERY = 10_000;

    private static final String INSERT_ENTRY = "INSERT INTO ledger_entry (id, document_number, posting_date, currency,"
            + " task_id, posted_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_LINE = "INSERT INTO ledger_line (id, entry_id, line_no, file_line, account_code,"
            + " cost_center, debit, credit, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final EntityManager entityManager;

    private LedgerBook(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    public static LedgerBook open() {
        try {
            EntityManagerFactory factory = (EntityManagerFactory) new InitialContext().lookup(FACTORY);
            return new LedgerBook(factory.createEntityManager());
        } catch (NamingException e) {
            throw new IllegalStateException("the ledger's persistence unit is not bound at " + FACTORY
                    + "; ledger.post runs only in the server", e);
        }
    }

    @Override
    public Map<String, Account> accounts() {
        Map<String, Account> accounts = new HashMap<>();
        entityManager.createQuery("SELECT a FROM Account a", Account.class).getResultList()
                .forEach(account -> accounts.put(account.code(), account));
        return accounts;
    }

    @Override
    public Map<String, FiscalPeriod> periods() {
        Map<String, FiscalPeriod> periods = new HashMap<>();
        entityManager.createQuery("SELECT p FROM FiscalPeriod p", FiscalPeriod.class).getResultList()
                .forEach(period -> periods.put(period.id(), period));
        return periods;
    }

    /**
     * A query per {@value #NUMBERS_PER_QUERY} numbers, each as one array parameter ({@code = ANY(?)},
     * which H2 and PostgreSQL both take): a file's thousands of numbers in IN lists cost a statement
     * per few hundred, each with hundreds of parameters to bind; and H2 takes no array of more than
     * 65,536 elements, so a file of 100,000 documents in one array failed its check on H2.
     */
    @Override
    public Map<String, String> postedBy(Collection<String> documentNumbers, Instant postedBefore) {
        Map<String, String> posted = new HashMap<>();
        List<String> numbers = new ArrayList<>(documentNumbers);
        for (int from = 0; from < numbers.size(); from += NUMBERS_PER_QUERY) {
            List<String> slice = numbers.subList(from, Math.min(numbers.size(), from + NUMBERS_PER_QUERY));
            Query query = entityManager.createNativeQuery("SELECT document_number, task_id FROM ledger_entry"
                            + " WHERE document_number = ANY(?1)" + (postedBefore == null ? "" : " AND posted_at < ?2"))
                    .setParameter(1, slice.toArray(new String[0]));
            if (postedBefore != null) {
                query.setParameter(2, postedBefore);
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = query.getResultList();
            rows.forEach(row -> posted.put((String) row[0], (String) row[1]));
        }
        return posted;
    }

    /**
     * Inserts the entries, then their lines, in plain JDBC batches of {@value #BATCH} on the
     * connection of a Hibernate stateless session: the unit's JTA datasource, so the rows join the
     * chunk's transaction. The ids come from the unit's own generators (the sequences in steps of
     * {@value JournalEntry#ID_BLOCK}, one round trip per block), so any row Hibernate inserts
     * elsewhere takes its id from the same pool. Not Hibernate's inserts: for each row they cost
     * more than H2's work for it (a profile of ledger.post, design note 042), and posted rows are
     * written once and never read back here. The batches are sent before this returns, so that a
     * refusal surfaces here, not at commit.
     */
    @Override
    public void post(List<JournalEntry> entries) {
        SessionFactoryImplementor factory = entityManager.unwrap(Session.class).getSessionFactory()
                .unwrap(SessionFactoryImplementor.class);
        BeforeExecutionGenerator entryIds = idGenerator(factory, JournalEntry.class);
        BeforeExecutionGenerator lineIds = idGenerator(factory, JournalLine.class);
        try (StatelessSession stateless = factory.openStatelessSession()) {
            SharedSessionContractImplementor session = (SharedSessionContractImplementor) stateless;
            // every id before the inserts: a generator's round trip for its next block ends with the
            // session releasing its connection (JTA: after each statement), the one the inserts use
            long[] entryId = new long[entries.size()];
            List<Long> lineId = new ArrayList<>(entries.size() * 2);
            for (int i = 0; i < entries.size(); i++) {
                entryId[i] = (Long) entryIds.generate(session, entries.get(i), null, EventType.INSERT);
                for (JournalLine line : entries.get(i).lines()) {
                    lineId.add((Long) lineIds.generate(session, line, null, EventType.INSERT));
                }
            }
            stateless.doWork(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(INSERT_ENTRY)) {
                    int batched = 0;
                    for (int i = 0; i < entries.size(); i++) {
                        JournalEntry entry = entries.get(i);
                        insert.setLong(1, entryId[i]);
                        insert.setString(2, entry.documentNumber());
                        insert.setObject(3, entry.postingDate());
                        insert.setString(4, entry.currency());
                        insert.setString(5, entry.taskId());
                        insert.setObject(6, OffsetDateTime.ofInstant(entry.postedAt(), ZoneOffset.UTC));
                        insert.addBatch();
                        if (++batched % BATCH == 0) {
                            insert.executeBatch();
                        }
                    }
                    insert.executeBatch();
                }
                try (PreparedStatement insert = connection.prepareStatement(INSERT_LINE)) {
                    int lines = 0;
                    for (int i = 0; i < entries.size(); i++) {
                        for (JournalLine line : entries.get(i).lines()) {
                            insert.setLong(1, lineId.get(lines));
                            insert.setLong(2, entryId[i]);
                            insert.setInt(3, line.lineNo());
                            insert.setInt(4, line.fileLine());
                            insert.setString(5, line.accountCode());
                            insert.setString(6, line.costCenter());
                            insert.setBigDecimal(7, line.debit());
                            insert.setBigDecimal(8, line.credit());
                            insert.setString(9, line.description());
                            insert.addBatch();
                            if (++lines % BATCH == 0) {
                                insert.executeBatch();
                            }
                        }
                    }
                    insert.executeBatch();
                }
            });
        }
    }

    /** The unit's id generator of an entity: a sequence in blocks, as its mapping says. */
    private static BeforeExecutionGenerator idGenerator(SessionFactoryImplementor factory, Class<?> entity) {
        if (factory.getMappingMetamodel().getEntityDescriptor(entity).getGenerator() instanceof BeforeExecutionGenerator ids) {
            return ids;
        }
        throw new IllegalStateException(entity.getSimpleName() + "'s ids are not generated before its insert; its mapping changed");
    }

    @Override
    public void close() {
        entityManager.close();
    }
}
