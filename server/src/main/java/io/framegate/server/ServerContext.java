package io.framegate.server;

import io.framegate.domain.ImageLimits;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import io.framegate.server.auth.Authenticator;
import io.framegate.server.jobs.JobService;

/**
 * What a surface gets to work with.
 *
 * @param jobs           the job service (submit, get, list, delete, cancel, content)
 * @param authenticator  finds the caller's key per auth scheme
 * @param catalog        the model catalog (also behind the validator)
 * @param validator      the catalog's validator
 * @param json           the server's JSON mapper
 * @param options        the server options (upload limits, poll interval)
 * @param imageLimits    the caps on request images, checked at intake
 * @param signedUrls     signs and checks the keyless links to a job's files ({@code video_url}); null: no links
 * @param allowPrivateImageUrls image URLs on private, loopback and reserved addresses are fetched too: the server's
 *                       environment says {@code FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS=true}
 */
public record ServerContext(JobService jobs, Authenticator authenticator, ModelCatalog catalog,
                            RequestValidator validator, ObjectMapper json, ServerOptions options,
                            ImageLimits imageLimits, io.framegate.server.links.SignedUrls signedUrls,
                            boolean allowPrivateImageUrls) {
}
