using Tabula.Layers;

namespace Tabula.Build.Attestations;

/// <summary>
/// The build context as a build sees it, for a scanner to read: the entries <c>.dockerignore</c> keeps (the walk the
/// copy steps use), in a folder of their own. Files are hard links where the folder is on the context's file system
/// (the scanner sees them read-only), else copies; symlinks stay symlinks; other kinds (devices, sockets) stay out.
/// </summary>
internal static class ContextView
{
    public static void Create(BuildContext context, string directory)
    {
        ArgumentNullException.ThrowIfNull(context);
        Directory.CreateDirectory(directory);
        bool linking = true;
        foreach (var entry in ContextWalker.Walk(context, "", null))
        {
            var target = Path.Combine(directory, entry.ContextPath);
            if (entry.Status.IsDirectory) Directory.CreateDirectory(target);
            else if (entry.Status.IsSymlink) File.CreateSymbolicLink(target, new FileInfo(entry.FullPath).LinkTarget ?? "");
            else if (entry.Status.Type == Posix.TypeRegular)
            {
                if (linking)
                {
                    try
                    {
                        Posix.Link(entry.FullPath, target);
                        continue;
                    }
                    catch (IOException)
                    {
                        linking = false; // another file system (or no links allowed): copy this one and the rest
                    }
                }
                File.Copy(entry.FullPath, target);
            }
        }
    }
}
