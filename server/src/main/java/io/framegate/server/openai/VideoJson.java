package io.framegate.server.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.FitMode;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.Rule;
import io.framegate.provider.FailoverBackend;
import io.framegate.provider.Routing;
import io.framegate.provider.UpstreamBackend;
import io.framegate.server.ClientView;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobNotes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The OpenAI {@code Video} object (every field of {@code VideoResource}, nulls included) and the model list. */
final class VideoJson {
    private final ObjectMapper json;

    VideoJson(ObjectMapper json) {
        this.json = json;
    }

    /** A signed link to one file of a completed job (see {@code SignedUrls}); null when there is none. */
    @FunctionalInterface
    interface Links {
        String url(Job job, io.framegate.server.jobs.ContentVariant variant);
    }

    ObjectNode video(Job job) {
        return video(job, null);
    }

    /** The video object; a completed one carries {@code video_url} and the previews' URLs when {@code links} is given. */
    ObjectNode video(Job job, Links links) {
        ObjectNode n = json.createObjectNode();
        n.put("id", job.id());
        n.put("object", "video");
        n.put("model", job.model());
        n.put("status", switch (job.status()) {
            case QUEUED -> "queued";
            case IN_PROGRESS -> "in_progress";
            case COMPLETED -> "completed";
            case FAILED, CANCELLED -> "failed";
        });
        n.put("progress", job.progress());
        n.put("created_at", seconds(job.createdAt()));
        putSeconds(n, "completed_at", job.status().isFinal() ? job.completedAt() : null);
        putSeconds(n, "expires_at", job.expiresAt());
        n.put("prompt", job.prompt());
        n.put("size", job.size());
        n.put("seconds", job.seconds() == null ? null : String.valueOf(job.seconds()));
        n.put("remixed_from_video_id", job.remixedFrom());
        switch (job.status()) {
            case FAILED -> {
                ObjectNode e = n.putObject("error");
                e.put("code", job.errorCode() != null ? job.errorCode() : "internal_error");
                e.put("message", job.errorMessage() != null ? ClientView.errorMessage(job.errorMessage())
                        : "the video could not be generated");
            }
            case CANCELLED -> {
                ObjectNode e = n.putObject("error");
                e.put("code", "cancelled");
                e.put("message", "the video was cancelled before it was finished");
            }
            default -> n.putNull("error");
        }
        ObjectNode fg = n.putObject("framegate");
        Map<String, String> notes = new TreeMap<>(job.notes());
        fg.put("backend", notes.remove(JobNotes.BACKEND));
        String local = notes.remove(JobNotes.LOCAL_RENDER);
        if (local == null) fg.putNull("local_render");
        else fg.put("local_render", Boolean.parseBoolean(local));
        fg.put("channel", notes.remove(JobNotes.CHANNEL));
        putNumber(fg, "estimated_cost_usd", notes.remove(JobNotes.ESTIMATED_COST_USD));
        putNumber(fg, "cost_usd", notes.remove(JobNotes.COST_USD));
        fg.put("status", job.status().name().toLowerCase());
        fg.put("extended_from_video_id", job.extendedFrom());
        fg.put("number_of_videos", job.numberOfVideos());
        putSeconds(fg, "started_at", job.startedAt());
        io.framegate.server.media.FidelityNote.attach(fg, job);
        ObjectNode rest = fg.putObject("notes");
        ClientView.notes(notes).forEach(rest::put);
        boolean linked = links != null && job.status() == io.framegate.domain.JobStatus.COMPLETED;
        n.put("video_url", linked ? links.url(job, io.framegate.server.jobs.ContentVariant.VIDEO) : null);
        fg.put("thumbnail_url", linked ? links.url(job, io.framegate.server.jobs.ContentVariant.THUMBNAIL) : null);
        fg.put("spritesheet_url", linked ? links.url(job, io.framegate.server.jobs.ContentVariant.SPRITESHEET) : null);
        return n;
    }

    private static void putNumber(ObjectNode n, String field, String decimal) {
        java.math.BigDecimal d = io.framegate.server.ClientView.usd(decimal);
        if (d == null) n.putNull(field);
        else n.put(field, d); // exact: the micro-dollar text, not a double
    }

    private static long seconds(Instant t) {
        return t.getEpochSecond();
    }

    private static void putSeconds(ObjectNode n, String field, Instant t) {
        if (t == null) n.putNull(field);
        else n.put(field, t.getEpochSecond());
    }

    /**
     * Every catalog model with its rules, prices and lifecycle, as the validator applies them, and what serves it
     * here ({@code framegate}: the config's route or the offline engine, and the config's extra aliases).
     */
    ObjectNode models(ModelCatalog catalog, Routing routing) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelSpec m : catalog.models()) {
            ObjectNode n = data.addObject();
            n.put("id", m.id());
            n.put("object", "video.model");
            aliases(n.putArray("aliases"), m.aliases());
            n.put("provider", m.provider());
            n.put("kind", m.kind());
            n.put("description", m.description());
            ObjectNode secs = n.putObject("seconds");
            if (m.secondsRange() != null) {
                secs.put("min", m.secondsRange().min());
                secs.put("max", m.secondsRange().max());
            } else {
                ArrayNode allowed = secs.putArray("allowed");
                m.seconds().forEach(s -> allowed.add(String.valueOf(s)));
            }
            secs.put("default", String.valueOf(m.defaultSeconds()));
            ObjectNode sizes = n.putObject("sizes");
            if (m.sizeRange() != null) {
                sizes.put("min_side", m.sizeRange().min());
                sizes.put("max_side", m.sizeRange().max());
                sizes.put("even_sides_only", true);
            } else {
                aliases(sizes.putArray("allowed"), m.sizes());
                // what the rules' "resolution" and "aspect_ratio" conditions see for each size (a form can apply them)
                ObjectNode classes = sizes.putObject("classes");
                for (String s : m.sizes()) {
                    io.framegate.domain.VideoSize.parse(s).ifPresent(v -> classes.putObject(s)
                            .put("aspect_ratio", v.aspectRatio()).put("resolution", v.resolutionClass()));
                }
            }
            sizes.put("default", m.defaultSize());
            ObjectNode roles = n.putObject("image_roles");
            for (Map.Entry<ImageRole, Integer> r : m.roles().entrySet()) {
                ObjectNode role = roles.putObject(r.getKey().wireName());
                role.put("max", r.getValue());
                role.put("openai_field", OpenAiSurface.fieldForRole(r.getKey(), m));
            }
            n.put("min_images", m.minImages());
            n.put("max_videos", m.maxVideos());
            n.put("prompt_required", m.promptRequired());
            n.put("seed", m.seed());
            n.put("negative_prompt", m.negativePrompt());
            n.put("audio", m.audio());
            // request options the offline engine reads (a cloud upstream ignores them)
            ObjectNode options = n.putObject("options");
            ObjectNode easing = options.putObject("easing");
            RequestValidator.EASINGS.forEach(easing.putArray("allowed")::add);
            easing.put("default", RequestValidator.EASINGS.getFirst());
            easing.put("applies_to", "local renders");
            // fit: how frame images meet the video's frame, the same on the offline engine and every upstream
            ObjectNode fit = options.putObject(FitMode.FIELD);
            ArrayNode allowed = fit.putArray("allowed");
            ObjectNode aliases = fit.putObject("aliases");
            for (FitMode f : FitMode.values()) {
                allowed.add(f.id());
                f.aliases().forEach(alias -> aliases.put(alias, f.id()));
            }
            fit.put("default", FitMode.DEFAULT.id());
            fit.put("applies_to", "all routes");
            ArrayNode rules = n.putArray("rules");
            for (Rule r : m.rules()) {
                ObjectNode rn = rules.addObject();
                rn.set("when", json.valueToTree(r.when()));
                if (!r.then().isEmpty()) rn.set("then", json.valueToTree(r.then()));
                if (!r.requireRoles().isEmpty()) rn.set("require_roles", json.valueToTree(r.requireRoles()));
                if (!r.forbidRoles().isEmpty()) rn.set("forbid_roles", json.valueToTree(r.forbidRoles()));
                rn.put("because", r.because());
            }
            ObjectNode price = n.putObject("price_per_second_usd");
            new TreeMap<>(m.pricePerSecond()).forEach(price::put);
            if (!m.pricePerVideo().isEmpty()) new TreeMap<>(m.pricePerVideo()).forEach(n.putObject("price_per_video_usd")::put);
            n.put("price_note", m.priceNote());
            ObjectNode life = n.putObject("lifecycle");
            life.put("status", m.lifecycle().status());
            life.put("shutdown_date", m.lifecycle().shutdown() == null ? null : m.lifecycle().shutdown().toString());
            life.put("replacement", m.lifecycle().replacement());
            life.put("note", m.lifecycle().note());
            if (routing != null) servedBy(n.putObject("framegate"), m, routing);
        }
        return root;
    }

    private static void servedBy(ObjectNode fg, ModelSpec m, Routing routing) {
        ArrayNode configAliases = fg.putArray("config_aliases");
        routing.config().aliases().forEach((alias, id) -> {
            if (id.equals(m.id())) configAliases.add(alias);
        });
        Optional<FailoverBackend> route = routing.route(m.id());
        if (route.isPresent()) {
            fg.put("backend", route.get().id());
            fg.put("local_render", false);
            ArrayNode channels = fg.putArray("channels");
            for (UpstreamBackend t : route.get().targets()) {
                ObjectNode c = channels.addObject();
                c.put("channel", t.channel().name());
                c.put("upstream_model", t.upstreamModel().id());
                c.put("provider", t.channel().upstream().provider());
            }
        } else if ("local".equals(routing.config().defaultRoute())) {
            fg.put("backend", routing.backendFor(m).id());
            fg.put("local_render", true);
        } else {
            fg.putNull("backend");
            fg.put("note", "no route: requests for this model are refused (default_route: none)");
        }
    }

    private static void aliases(ArrayNode arr, List<String> values) {
        values.forEach(arr::add);
    }
}
