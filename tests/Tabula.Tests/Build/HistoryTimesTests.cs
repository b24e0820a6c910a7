using Tabula.Build;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Tests.Build;

/// <summary>
/// The times of a finished image without SOURCE_DATE_EPOCH, as BuildKit's exporter gives them: untimed (metadata)
/// entries take a layer's time, and the config's <c>created</c> is the last entry's.
/// </summary>
public class HistoryTimesTests
{
    private static readonly DateTimeOffset Base = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset First = new(2025, 5, 5, 5, 5, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Second = First.AddHours(1);

    private static HistoryEntry Entry(DateTimeOffset? created, bool layer = false)
        => new() { Created = created, CreatedBy = "x", EmptyLayer = layer ? null : true };

    private static ImageConfig Config(params HistoryEntry[] history)
        => EmptyImage.Config(Platform.Parse("linux/amd64")) with { History = history };

    [Fact]
    public void Metadata_before_the_first_new_layer_takes_its_time_and_later_metadata_the_time_of_the_layer_before()
    {
        var config = HistoryTimes.Complete(Config(
            Entry(Base, layer: true), Entry(null), Entry(First, layer: true), Entry(null), Entry(Second, layer: true), Entry(null)), null);

        Assert.Equal([Base, First, First, First, Second, Second], config.History!.Select(h => h.Created!.Value));
        Assert.Equal(Second, config.Created);
    }

    [Fact]
    public void Metadata_on_a_base_with_no_new_layer_takes_the_bases_last_time_and_on_scratch_has_none()
    {
        var onBase = HistoryTimes.Complete(Config(Entry(Base, layer: true), Entry(null)), null);
        Assert.Equal([Base, Base], onBase.History!.Select(h => h.Created!.Value));
        Assert.Equal(Base, onBase.Created);

        var onScratch = HistoryTimes.Complete(Config(Entry(null)), null);
        Assert.Null(Assert.Single(onScratch.History!).Created);
        Assert.Null(onScratch.Created);
    }

    [Fact]
    public void With_an_epoch_the_history_is_left_as_it_is_and_the_config_has_the_epoch()
    {
        var config = HistoryTimes.Complete(Config(Entry(Base, layer: true), Entry(First)), First);
        Assert.Equal([Base, First], config.History!.Select(h => h.Created!.Value));
        Assert.Equal(First, config.Created);
    }
}
