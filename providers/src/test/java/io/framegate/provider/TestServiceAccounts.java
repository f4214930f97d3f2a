package io.framegate.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** A Google service-account file for Vertex tests: a real RSA key (made once per run) and the stand-in's token URI. */
final class TestServiceAccounts {
    private static String pem;

    private TestServiceAccounts() {
    }

    /** Writes {@code dir/sa.json} for project {@code P}, whose tokens come from {@code tokenUri}; returns its path. */
    static synchronized Path write(Path dir, String tokenUri) throws IOException, NoSuchAlgorithmException {
        if (pem == null) {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048); // the size Google issues; the token exchange signs with it for real
            pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(gen.generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }
        ObjectNode sa = Http.JSON.createObjectNode().put("type", "service_account").put("project_id", "P")
                .put("private_key_id", "k1").put("private_key", pem)
                .put("client_email", "framegate@P.iam.gserviceaccount.com").put("client_id", "1")
                .put("token_uri", tokenUri);
        Path file = dir.resolve("sa.json");
        Files.writeString(file, sa.toString());
        return file;
    }
}
