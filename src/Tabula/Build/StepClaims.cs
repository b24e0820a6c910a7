namespace Tabula.Build;

/// <summary>
/// Work in progress by what it makes (a step's cache key, a base image's name), so that identical work started side by
/// side is done once: the second waits for the first and then finds its result in the step cache or the store, as
/// BuildKit's solver merges identical vertices. This is what keeps the <c>FROM --platform=$BUILDPLATFORM</c> stage of a
/// multi-platform build, the same for every platform, from being built once per platform. A claim is held around one
/// step, which waits for no other claim meanwhile, so claims cannot deadlock.
/// </summary>
internal sealed class StepClaims
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits until no one else holds <paramref name="key"/> and holds it until the result is disposed.</summary>
    public async Task<IDisposable> ClaimAsync(string key, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(key, out gate!)) _gates[key] = gate = new Gate();
            gate.Users++;
        }
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, gate, held: false);
            throw;
        }
        return new Claim(() => Leave(key, gate, held: true));
    }

    private void Leave(string key, Gate gate, bool held)
    {
        lock (_gates)
        {
            if (held) gate.Semaphore.Release();
            if (--gate.Users > 0) return;
            _gates.Remove(key);
            gate.Semaphore.Dispose();
        }
    }

    private sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters: the gate goes when the last one leaves.</summary>
        public int Users { get; set; }
    }

    private sealed class Claim(Action leave) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) leave();
        }
    }
}
