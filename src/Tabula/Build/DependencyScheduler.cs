namespace Tabula.Build;

/// <summary>
/// Runs jobs side by side, each as soon as the jobs it depends on are done, at most a given number at a time: the
/// stages of a build (BuildKit runs independent stages at once) and the platforms of a multi-platform build. The
/// first failure cancels the rest and is the one reported, not the cancellations it caused.
/// </summary>
internal static class DependencyScheduler
{
    /// <param name="jobs">Each job's key and the keys it depends on, in an order where every dependency comes before its users (keys not among the jobs are ignored).</param>
    /// <param name="run">Runs one job, given its dependencies' results.</param>
    /// <param name="maxParallel">How many jobs may run at once; a job waiting for its dependencies does not count.</param>
    public static async Task<Dictionary<TKey, TResult>> RunAsync<TKey, TResult>(
        IEnumerable<(TKey Key, IEnumerable<TKey> DependsOn)> jobs,
        Func<TKey, IReadOnlyDictionary<TKey, TResult>, CancellationToken, Task<TResult>> run,
        int maxParallel,
        CancellationToken cancellationToken) where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(maxParallel);
        var tasks = new Dictionary<TKey, Task<TResult>>();
        foreach (var (key, dependsOn) in jobs)
        {
            var waitFor = dependsOn.Distinct().Where(tasks.ContainsKey).ToDictionary(d => d, d => tasks[d]);
            // On the thread pool: a job whose work completes synchronously would otherwise hold this loop.
            tasks[key] = Task.Run(() => RunOneAsync(key, waitFor, run, slots, failed), CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        }
        catch when (FirstFailure(tasks.Values) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        return tasks.ToDictionary(t => t.Key, t => t.Value.Result);
    }

    private static async Task<TResult> RunOneAsync<TKey, TResult>(TKey key, Dictionary<TKey, Task<TResult>> dependencies,
        Func<TKey, IReadOnlyDictionary<TKey, TResult>, CancellationToken, Task<TResult>> run, SemaphoreSlim slots, CancellationTokenSource failed) where TKey : notnull
    {
        try
        {
            var done = new Dictionary<TKey, TResult>();
            foreach (var (dependency, task) in dependencies) done[dependency] = await task.ConfigureAwait(false);
            await slots.WaitAsync(failed.Token).ConfigureAwait(false);
            try
            {
                return await run(key, done, failed.Token).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The failure that caused the others: the first job that failed other than by being cancelled.</summary>
    private static Exception? FirstFailure<TResult>(IEnumerable<Task<TResult>> tasks)
    {
        var faults = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
        return faults.FirstOrDefault(e => e is not OperationCanceledException) ?? faults.FirstOrDefault();
    }
}
