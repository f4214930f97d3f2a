package io.framegate.server.storage;

import java.io.IOException;

/**
 * Object storage failed or could not be reached. The message names the operation, the object, the HTTP status and
 * the storage's request id, never the endpoint's answer body or a credential; clients get a generic 503.
 */
public final class StorageException extends IOException {
    public StorageException(String message) {
        super(message);
    }
}
