using System.Collections.Concurrent;

namespace Tabula.Layers;

/// <summary>
/// Threads of their own for <see cref="ParallelGzipStream"/>'s blocks, started on the first block and ended with
/// the stream. On the thread pool a block's tens of milliseconds of deflate queue with the continuations of the
/// producer that writes the tar (one a file read): with as many pool threads as cores, all compressing, the
/// producer waited behind them, and the cores ran dry in turn while it caught up. Here the producer keeps the
/// pool to itself and the operating system shares the cores between it and the compressors.
/// </summary>
internal sealed class CompressionThreads(int count) : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private bool _started;

    /// <summary>Runs <paramref name="work"/> on one of the threads; its task completes off that thread.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        if (!_started) Start();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    /// <summary>Lets the threads finish what was given to them and end.</summary>
    public void Dispose() => _work.CompleteAdding();

    private void Start()
    {
        _started = true;
        for (int i = 0; i < count; i++)
            new Thread(Loop) { IsBackground = true, Name = "gzip block" }.Start();
    }

    private void Loop()
    {
        foreach (var work in _work.GetConsumingEnumerable()) work();
    }
}
