/** See the module description. */
package io.framegate.bench;
