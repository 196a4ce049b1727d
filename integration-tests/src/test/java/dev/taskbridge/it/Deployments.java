package dev.taskbridge.it;

import java.io.File;

import dev.taskbridge.it.plugin.RowAuditTaskType;
import dev.taskbridge.it.plugin.RowWritingTaskType;
import dev.taskbridge.plugin.TaskType;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;

/** The EAR exactly as the build assembled it. */
final class Deployments {

    private Deployments() {
    }

    static EnterpriseArchive ear() {
        File ear = new File(System.getProperty("taskbridge.ear", "target/taskbridge.ear"));
        if (!ear.isFile()) {
            throw new IllegalStateException("no EAR at " + ear.getAbsolutePath() + "; run the build through Maven");
        }
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, ear);
    }

    /**
     * The EAR with the test plugins in its lib/: {@code it.rows} writes rows in chunks and can
     * fail on purpose, {@code it.audit} counts them.
     */
    static EnterpriseArchive earWithTestPlugins() {
        return ear().addAsLibrary(testPlugins());
    }

    /** The test plugins' jar, as the EAR's lib/ and a worker's plugin directory carry it. */
    static JavaArchive testPlugins() {
        return ShrinkWrap.create(JavaArchive.class, "it-plugins.jar")
                .addClasses(RowWritingTaskType.class, RowWritingTaskType.Script.class, RowAuditTaskType.class)
                .addAsServiceProvider(TaskType.class, RowWritingTaskType.class, RowAuditTaskType.class);
    }
}
