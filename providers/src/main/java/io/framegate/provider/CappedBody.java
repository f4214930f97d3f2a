package io.framegate.provider;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A body of at most {@code max} bytes: a larger {@code Content-Length} is refused before a byte is read, and a body
 * that grows past the cap is cut there ({@link Http} reports it). Without it a hostile or broken upstream's answer (a 5 GB "video", a poll
 * answer that never ends) was written to disk or memory for as long as the deadline allowed.
 */
final class CappedBody<T> implements HttpResponse.BodySubscriber<T> {
    /** The failure a capped body ends with. */
    static final class TooLarge extends IOException {
        TooLarge(long max) {
            super("the body is larger than " + max + " bytes");
        }
    }

    private final HttpResponse.BodySubscriber<T> delegate;
    private final long max;
    /** Set when the body was cut: the client may fail the call with its own "cancelled" before our error arrives. */
    private final java.util.concurrent.atomic.AtomicBoolean over;
    private final boolean declaredTooLarge;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long seen;
    private boolean cut;

    CappedBody(HttpResponse.BodySubscriber<T> delegate, long max, long declaredLength,
               java.util.concurrent.atomic.AtomicBoolean over) {
        this.delegate = delegate;
        this.over = over;
        this.max = max;
        this.declaredTooLarge = declaredLength > max;
        delegate.getBody().whenComplete((v, e) -> {
            if (e != null) result.completeExceptionally(e);
            else result.complete(v);
        });
    }

    @Override
    public CompletionStage<T> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (declaredTooLarge) {
            cut = true;
            over.set(true);
            s.cancel();
            delegate.onSubscribe(new Flow.Subscription() {
                public void request(long n) { }
                public void cancel() { }
            });
            delegate.onError(new TooLarge(max));
            return;
        }
        delegate.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (cut) return;
        for (ByteBuffer b : items) seen += b.remaining();
        if (seen > max) {
            cut = true;
            over.set(true);
            subscription.cancel();
            delegate.onError(new TooLarge(max));
            return;
        }
        delegate.onNext(items);
    }

    @Override
    public void onError(Throwable t) {
        if (!cut) delegate.onError(t);
    }

    @Override
    public void onComplete() {
        if (!cut) delegate.onComplete();
    }
}
