package io.framegate.server.jobs;

import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A result store that hands every call to {@code inner}, for test stores that change one or two calls (a delete that
 * fails, a read that must not happen) and override only those.
 */
abstract class ForwardingResultStore implements ResultStore {
    final ResultStore inner;

    ForwardingResultStore(ResultStore inner) {
        this.inner = inner;
    }

    @Override
    public void put(String jobId, String name, byte[] bytes) throws IOException {
        inner.put(jobId, name, bytes);
    }

    @Override
    public void put(String jobId, String name, InputStream in) throws IOException {
        inner.put(jobId, name, in);
    }

    @Override
    public void put(String jobId, String name, Path file) throws IOException {
        inner.put(jobId, name, file);
    }

    @Override
    public Optional<StoredObject> open(String jobId, String name) throws IOException {
        return inner.open(jobId, name);
    }

    @Override
    public void delete(String jobId, String name) throws IOException {
        inner.delete(jobId, name);
    }

    @Override
    public void deleteAll(String jobId) throws IOException {
        inner.deleteAll(jobId);
    }

    @Override
    public List<String> storedJobIds() throws IOException {
        return inner.storedJobIds();
    }

    @Override
    public Optional<Instant> lastWritten(String jobId) throws IOException {
        return inner.lastWritten(jobId);
    }
}
