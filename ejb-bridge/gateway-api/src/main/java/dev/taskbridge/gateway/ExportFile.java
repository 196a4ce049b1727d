package dev.taskbridge.gateway;

import java.util.Objects;

/** A task's result rendered as a file. */
public record ExportFile(String name, String mediaType, byte[] content) {

    public ExportFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(content, "content");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExportFile that && name.equals(that.name) && mediaType.equals(that.mediaType)
                && java.util.Arrays.equals(content, that.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mediaType) * 31 + java.util.Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "ExportFile[" + name + ", " + mediaType + ", " + content.length + " bytes]";
    }
}
