namespace Tabula.Analysis;

/// <summary>
/// What one layer did to the image below it, counted over non-directory paths (files, links, devices): paths it
/// added, paths it wrote again (changed), and paths it removed by whiteouts or by writing over their directory.
/// </summary>
internal sealed record LayerChanges
{
    public int Added { get; set; }
    public long AddedBytes { get; set; }
    public int Changed { get; set; }
    public long ChangedBytes { get; set; }
    public int Deleted { get; set; }
    public long DeletedBytes { get; set; }
}
