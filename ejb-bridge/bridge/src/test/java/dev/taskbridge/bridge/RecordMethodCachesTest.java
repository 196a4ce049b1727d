package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;

import org.junit.jupiter.api.Test;

class RecordMethodCachesTest {

    @Test
    void aClassLoaderWhoseRecordsRanTheirGeneratedMethodsCanBeCollectedOnceReleased() throws Exception {
        WeakReference<ClassLoader> deployment = runRecordMethodsInOwnClassLoader();

        RecordMethodCaches.release();

        for (int i = 0; i < 50 && deployment.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(deployment.get()).as("the deployment's class loader after release and GC").isNull();
    }

    /** Loads the records anew, with no parent that knows them, the way a deployment's module loader does. */
    private static WeakReference<ClassLoader> runRecordMethodsInOwnClassLoader() throws Exception {
        URL testClasses = RecordMethodCachesTest.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {testClasses}, ClassLoader.getPlatformClassLoader())) {
            Class<?> posting = loader.loadClass("dev.taskbridge.bridge.pinned.Posting");
            assertThat(posting.getClassLoader()).isSameAs(loader);
            assertThat((String) posting.getMethod("exercise").invoke(null)).startsWith("true ");
            return new WeakReference<>(loader);
        }
    }
}
