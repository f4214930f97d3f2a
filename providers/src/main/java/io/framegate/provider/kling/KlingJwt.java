package io.framegate.provider.kling;

import io.framegate.provider.Http;
import io.framegate.provider.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kling's bearer token: a JWT (HS256) whose issuer is the access key, signed with the secret key, valid from 5 s
 * before now for 30 min. Made fresh for every request, so a long job never sends an expired one. Plain JCA: one
 * HMAC does not justify a JWT library.
 */
final class KlingJwt {
    static final long LIFETIME_SECONDS = 1800;
    static final long CLOCK_SKEW_SECONDS = 5;
    private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private KlingJwt() {
    }

    static String token(Secret accessKey, Secret secretKey, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", accessKey.reveal());
        claims.put("exp", now.getEpochSecond() + LIFETIME_SECONDS);
        claims.put("nbf", now.getEpochSecond() - CLOCK_SKEW_SECONDS);
        String payload;
        try {
            payload = Http.JSON.writeValueAsString(claims);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JWT claims", e);
        }
        String signingInput = b64(HEADER.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretKey.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String b64(byte[] bytes) {
        return B64URL.encodeToString(bytes);
    }
}
