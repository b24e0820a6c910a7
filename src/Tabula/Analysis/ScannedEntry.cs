using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>One entry of a layer tar as the analysis sees it: a clean path, its metadata, and its content's hash.</summary>
internal readonly record struct ScannedEntry(string Path, LayerEntryType Type, int Mode, int Uid, int Gid, long Size, string LinkTarget, ContentHash Hash);
