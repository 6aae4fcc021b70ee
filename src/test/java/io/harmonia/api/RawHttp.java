package io.harmonia.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;

/** HTTP/1.1 requests written byte for byte (bodies no client library would send), with a bounded read. */
final class RawHttp {
    private RawHttp() {}

    /** A response: status, raw header block, body. */
    record Answer(int status, String headers, String body) {
        String header(String name) {
            for (String line : headers.split("\\r\\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = i;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            String size = new String(chunked, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (n == 0) {
                break;
            }
            int start = lineEnd + 2;
            out.write(chunked, start, Math.min(n, chunked.length - start));
            i = start + n + 2;
        }
        return out.toByteArray();
    }

    static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    static Answer send(String head) throws IOException {
        return send(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends the bytes (a whole request, "Connection: close" is not needed) and reads one response. */
    static Answer send(byte[] request) throws IOException {
        try (Socket socket = new Socket("localhost", port())) {
            socket.setSoTimeout(15_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server may answer and close before reading everything: read what it said
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int headerEnd = -1;
            long contentLength = -1;
            while (true) {
                int n;
                try {
                    n = in.read(chunk);
                } catch (IOException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                buf.write(chunk, 0, n);
                String text = buf.toString(StandardCharsets.ISO_8859_1);
                if (headerEnd < 0) {
                    headerEnd = text.indexOf("\r\n\r\n");
                    if (headerEnd >= 0) {
                        Answer partial = new Answer(0, text.substring(0, headerEnd), "");
                        String cl = partial.header("content-length");
                        contentLength = cl == null ? -1 : Long.parseLong(cl);
                        String type = partial.header("content-type");
                        if (type != null && type.startsWith("text/event-stream")) {
                            break; // a live stream: its status and headers are the answer
                        }
                    }
                }
                if (headerEnd >= 0 && contentLength >= 0 && buf.size() >= headerEnd + 4 + contentLength) {
                    break;
                }
            }
            String text = buf.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String headers = end < 0 ? text : text.substring(0, end);
            byte[] raw = buf.toByteArray();
            byte[] bodyBytes = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
            if (new Answer(0, headers, "").header("transfer-encoding") != null) {
                bodyBytes = dechunk(bodyBytes);
            }
            String body = new String(bodyBytes, StandardCharsets.UTF_8);
            String[] statusLine = headers.split("\r\n", 2)[0].split(" ");
            int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
            return new Answer(status, headers, body);
        }
    }
}
