package dev.taskbridge.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A database that comes back: forwards every connection made to a loopback port to another
 * (PostgreSQL's), from the moment it is started until it is closed. Before it starts, nothing
 * listens on the port and a connection is refused, as with a database server that is down.
 */
final class TcpForwarder implements AutoCloseable {

    private final ServerSocket listening;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private TcpForwarder(int port, int targetPort) throws IOException {
        this.listening = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        Thread accepting = new Thread(this::accept, "forwarder-" + port);
        accepting.setDaemon(true);
        accepting.start();
    }

    static TcpForwarder start(int port, int targetPort) throws IOException {
        return new TcpForwarder(port, targetPort);
    }

    /** A loopback port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                if (!listening.isClosed()) {
                    System.err.println("forwarder: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread copying = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed: the other follows
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "forwarder-pump");
        copying.setDaemon(true);
        copying.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listening.close();
        open.forEach(TcpForwarder::closeQuietly);
    }
}
