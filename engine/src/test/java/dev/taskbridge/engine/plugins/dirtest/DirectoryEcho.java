package dev.taskbridge.engine.plugins.dirtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Properties;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A plugin the plugin directory's tests put into jars: its version is the one its own jar's
 * {@value #VERSION_RESOURCE} says, so one class stands for several versions of a plugin. Its
 * package is hidden from the tests' parent class loader, so it is loaded from the jar only.
 */
public class DirectoryEcho implements TaskType<String> {

    public static final String ID = "dir.echo";
    public static final String VERSION_RESOURCE = "dirtest.properties";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        // its own jar's, never a parent's: the class loader is the jar's
        URL resource = ((URLClassLoader) getClass().getClassLoader()).findResource(VERSION_RESOURCE);
        Properties properties = new Properties();
        try (InputStream in = resource.openStream()) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.parseInt(properties.getProperty("version"));
    }

    @Override
    public String parse(Payload payload) {
        return payload.text();
    }

    @Override
    public TaskHandler<String> handler() {
        return new Echoing(); // a class of its own, loaded when first asked for: from the jar's copy
    }

    static final class Echoing implements TaskHandler<String> {
        @Override
        public int chunkCount(String payload) {
            return 1;
        }

        @Override
        public ChunkOutcome runChunk(String payload, int chunk, TaskContext context) {
            return new ChunkOutcome(1, 0, payload);
        }

        @Override
        public String result(String payload, List<ChunkOutcome> outcomes) {
            return "\"" + outcomes.get(0).data() + "\"";
        }
    }
}
