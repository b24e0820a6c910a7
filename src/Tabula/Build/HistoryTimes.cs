using Tabula.Oci;

namespace Tabula.Build;

/// <summary>
/// The times of a finished image, as BuildKit's image exporter gives them. Without SOURCE_DATE_EPOCH a layer's history
/// entry has the time its layer was first made (a cache hit keeps it) and an entry that makes no layer has none yet;
/// it takes the time of the first layer made after the first such entry (so an ENV before the first new layer is not
/// dated like the base image), and after that the time of the layer before it. The config's <c>created</c> is the
/// last entry's time, none when no entry has one (metadata only, on scratch). So a rebuild that the cache answers
/// whole gives the same config, hence the same image ID.
/// </summary>
internal static class HistoryTimes
{
    /// <param name="epoch">SOURCE_DATE_EPOCH: every entry of the build already has it, and so does the config.</param>
    public static ImageConfig Complete(ImageConfig config, DateTimeOffset? epoch)
    {
        if (epoch is { } fixedTime) return config with { Created = fixedTime };
        var history = config.History is { } entries ? Fill(entries) : null;
        return config with { History = history, Created = history?.LastOrDefault(h => h.Created is not null)?.Created };
    }

    private static List<HistoryEntry> Fill(IReadOnlyList<HistoryEntry> entries)
    {
        // The time the first untimed entries take: the first time after an untimed entry, else the last time there is.
        DateTimeOffset? time = null;
        bool untimedSeen = false;
        foreach (var entry in entries)
        {
            if (entry.Created is { } t)
            {
                time = t;
                if (untimedSeen) break;
            }
            else untimedSeen = true;
        }
        var filled = new List<HistoryEntry>(entries.Count);
        untimedSeen = false;
        foreach (var entry in entries)
        {
            if (entry.Created is { } t)
            {
                if (untimedSeen) time = t;
                filled.Add(entry);
            }
            else
            {
                untimedSeen = true;
                filled.Add(entry with { Created = time });
            }
        }
        return filled;
    }
}
