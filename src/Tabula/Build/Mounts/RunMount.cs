namespace Tabula.Build.Mounts;

/// <summary>One <c>RUN --mount=</c>, parsed and expanded: a record per type, each knowing what it adds to the step's cache key.</summary>
internal abstract record RunMount
{
    /// <summary>What of this mount goes into the RUN cache key as written; null for nothing (a secret never is).</summary>
    public abstract string? KeyText { get; }
}

/// <summary><c>sharing=</c> of a cache mount: how builds using one cache at the same time share it.</summary>
internal enum CacheSharing
{
    Shared,
    Private,
    Locked,
}
