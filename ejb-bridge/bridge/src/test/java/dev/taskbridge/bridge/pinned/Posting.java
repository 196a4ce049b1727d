package dev.taskbridge.bridge.pinned;

/** A record whose generated methods adapt the JDK's shared handles to {@link Amount}. */
public record Posting(Amount amount) {

    /** Runs the record's generated methods, as a deployment does in its first minutes. */
    public static String exercise() {
        Posting posting = new Posting(new Amount());
        return posting.equals(new Posting(posting.amount())) + " " + posting.hashCode() + " " + posting;
    }
}
