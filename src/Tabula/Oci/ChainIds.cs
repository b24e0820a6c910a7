using System.Text;

namespace Tabula.Oci;

/// <summary>
/// The chain ids of a layer stack (OCI image spec, "ChainID"): the first diff id, then
/// sha256("&lt;parent chain id&gt; &lt;diff id&gt;"). A chain id names a filesystem: the same layers in the same order.
/// </summary>
internal static class ChainIds
{
    public static IReadOnlyList<Digest> Of(IReadOnlyList<Digest> diffIds)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        var chain = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
            chain.Add(chain.Count == 0 ? diffId : Next(chain[^1], diffId));
        return chain;
    }

    /// <summary>The chain id of <paramref name="diffId"/> on top of the stack named <paramref name="parent"/>.</summary>
    public static Digest Next(Digest parent, Digest diffId) => Digest.Compute(Encoding.UTF8.GetBytes($"{parent} {diffId}"));
}
