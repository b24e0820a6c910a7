namespace Tabula.Build.SharedCache;

/// <summary>
/// A layer a cache hit promised could not be fetched (the registry went away, the layout lost a blob): the build
/// drops the imported cache and builds again from its own results, so a broken cache never fails a build.
/// <see cref="KeyOnly"/>: the cache holds the step's key and diff ID but, by design, not its layer (<c>mode=min</c>
/// leaves out the layers of stages the image is not made of); the build goes again without such steps only.
/// </summary>
public sealed class CacheBlobUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The layer is one the cache never carried: its step was exported as a key only.</summary>
    public bool KeyOnly { get; init; }

    /// <summary>This exception in <paramref name="e"/> or among its inner exceptions.</summary>
    internal static CacheBlobUnavailableException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is CacheBlobUnavailableException found) return found;
        return null;
    }
}

/// <summary>An export of the build cache failed and <c>ignore-error=false</c> made that fatal.</summary>
public sealed class CacheExportException(string message, Exception inner) : Exception(message, inner);
