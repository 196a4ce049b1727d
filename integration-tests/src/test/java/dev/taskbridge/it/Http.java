package dev.taskbridge.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain HTTP against the server for the security tests, where {@link Api} is too polite: any
 * method, any header (a browser's {@code Origin} and {@code Sec-Fetch-*}), raw paths sent as
 * written, a session logged in through the login page, and requests from another loopback
 * address than 127.0.0.1, so that one machine can play two clients.
 */
final class Http {

    static final String SERVER = "http://127.0.0.1:8080";
    static final String APP = SERVER + "/taskbridge";
    private static final Pattern VIEW_STATE = Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");

    private final HttpClient client;
    private final CookieManager cookies;

    private Http(HttpClient client, CookieManager cookies) {
        this.client = client;
        this.cookies = cookies;
    }

    /** A client without cookies: a script, or curl. */
    static Http client() {
        return new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), null);
    }

    /** A client that keeps cookies, logged in on the login page as a demo user (password = name). */
    static Http session(String user) {
        CookieManager cookies = new CookieManager();
        Http http = new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).cookieHandler(cookies).build(), cookies);
        Reply page = http.send("GET", APP + "/login.xhtml", Map.of(), null);
        Matcher state = VIEW_STATE.matcher(page.body());
        if (page.status() != 200 || !state.find()) {
            throw new IllegalStateException("no login form: " + page);
        }
        String form = "login=login&login%3Ausername=" + user + "&login%3Apassword=" + user + "&login%3Asubmit=Log+in"
                + "&jakarta.faces.ViewState=" + java.net.URLEncoder.encode(state.group(1), StandardCharsets.UTF_8);
        Reply login = http.send("POST", APP + "/login.xhtml", Map.of("Content-Type", "application/x-www-form-urlencoded"), form);
        if (login.status() != 302) {
            throw new IllegalStateException("login as " + user + " failed: " + login);
        }
        return http;
    }

    /**
     * The session's cookie, to send by hand where the client would not: to a path that the
     * cookie's path ({@code /taskbridge}) does not match as written, such as {@code /taskbridge;x/api}.
     */
    String sessionCookie() {
        return cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("JSESSIONID"))
                .map(cookie -> "JSESSIONID=" + cookie.getValue()).findFirst().orElseThrow();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a request; the URI is used as written (percent escapes and {@code ;} included). */
    Reply send(String method, String uri, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            // the status and headers only, for streams that never end (server-sent events)
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String text;
            try (InputStream in = response.body()) {
                boolean stream = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
                text = stream ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Reply(response.statusCode(), response.headers(), text);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            // A streamed body is read after send() returns; a client nothing references any more can be
            // collected meanwhile and its selector closes the connection ("IOException: closed", seen once
            // in CI). Callers write Http.client().send(...), so this call is the client's last holder.
            Reference.reachabilityFence(client);
        }
    }

    /**
     * A GET over a socket of its own, bound to {@code localAddress} (any 127.x.y.z reaches the
     * server on 127.0.0.1 through the loopback interface): the server sees another client.
     */
    static Reply getFrom(String localAddress, String path, String authorization) {
        return rawGet(localAddress, path, Map.of("Accept", "application/json", "Authorization", authorization));
    }

    /** Reads a response's status line and headers, up to the blank line after them, and no further. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("the server closed the connection in the headers: " + head);
            }
            head.write(next);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * A GET over a socket of its own. An event stream is read up to its headers and the socket is
     * then closed, as a browser closes a page's stream: the server sees its client go away at once
     * (a client that stays connected without reading would hold the stream open).
     */
    static Reply rawGet(String localAddress, String path, Map<String, String> headers) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", 8080), 10_000);
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String[] lines = readHead(in).strip().split("\r\n");
            Map<String, java.util.List<String>> received = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                received.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
            HttpHeaders parsed = HttpHeaders.of(received, (k, v) -> true);
            boolean stream = parsed.firstValue("content-type").orElse("").startsWith("text/event-stream");
            String body = stream ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), parsed, body);
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " from " + localAddress + " failed: " + e, e);
        }
    }

    /** A response: status, headers and body. */
    record Reply(int status, HttpHeaders headers, String body) {

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
        }
    }
}
