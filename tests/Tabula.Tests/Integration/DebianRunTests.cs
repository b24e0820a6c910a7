using System.Formats.Tar;
using System.Text;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// RUN on a real distribution base (issue 9's realistic case): a Debian minbase rootfs, then the steps real
/// Dockerfiles run on it, built by tabula and by docker's legacy builder from the same Dockerfile. Every layer a step
/// makes must hold what docker's holds, file by file: paths, types, modes, owners, symlink targets, hard links as
/// links, sizes, content hashes and mtimes, with only what is volatile between any two builds left out (see
/// <see cref="DebianLayerComparison"/>). All differences of all layers are reported at once: one build is expensive.
/// </summary>
public sealed class DebianRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Account tools, a rewrite that keeps size and mtime, and a hard link to a file of the base. Debian's
    /// <c>useradd</c> rewrites several <c>/etc</c> files and their <c>-</c> backups (some with the same size and
    /// their old mtime); the two <c>printf</c> steps make the same kind of change on purpose; <c>ln</c> links a new
    /// name to a lower layer's file, which docker's layer holds as one file and a link to it.
    /// </summary>
    [Fact]
    public async Task Useradd_a_same_size_rewrite_and_a_hard_link_give_dockers_layers()
    {
        await using var comparison = await DebianLayerComparison.StartAsync("debian-accounts", Ct);

        await comparison.BuildBothAsync(
        [
            "RUN useradd -m -u 1500 alice",
            "RUN printf AAAA > /f && touch -t 202001010000 /f",
            "RUN printf BBBB > /f && touch -t 202001010000 /f",
            "RUN ln /bin/bash /bash-hard",
        ], [], Ct);

        // The reference itself must get it right, or the comparison below proves nothing.
        var reference = await comparison.Docker.RunAsync(comparison.Tag, ["sh", "-c", "cat /f; echo; grep '^alice:' /etc/group"], Ct);
        Assert.Equal("BBBB\nalice:x:1500:\n", reference.EnsureSuccess().StandardOutput);

        var problems = await comparison.CompareLayersAsync(Ct);
        var merged = await comparison.ReadTabulaFilesAsync(["f", "etc/group"], Ct);
        if (merged.GetValueOrDefault("f") is var f && f != "BBBB")
            problems.Add($"tabula's image: /f is {(f is null ? "missing" : $"\"{f}\"")}, docker's is \"BBBB\" (the last RUN wrote it)");
        if (merged.GetValueOrDefault("etc/group") is var group && group?.Split('\n').Contains("alice:x:1500:") != true)
            problems.Add($"tabula's image: /etc/group has no line alice:x:1500: (useradd added it); it ends:\n{Tail(group)}");

        Assert.True(problems.Count == 0, comparison.Report(problems));
    }

    /// <summary>
    /// A file capability a RUN sets (an extended attribute, <c>security.capability</c>): the host's <c>setcap</c> and
    /// <c>getcap</c> are copied in (the minbase has libcap2 but not its tools). docker's layer keeps this attribute,
    /// and only this one, so the layers must carry the same attributes, and the capability must work in both images.
    /// </summary>
    private static readonly string[] CapabilityTools = ["setcap", "getcap"];

    [Fact]
    public async Task A_file_capability_a_run_sets_is_in_the_layer_as_dockers()
    {
        var tools = CapabilityTools.Select(tool => (tool, Path: Path.Combine("/usr/sbin", tool))).ToList();
        foreach (var (tool, path) in tools)
            if (!File.Exists(path)) Requirements.Tool(tool); // libcap2-bin: .ci/run installs it
        await using var comparison = await DebianLayerComparison.StartAsync("debian-xattrs", Ct);

        await comparison.BuildBothAsync(
        [
            "COPY setcap getcap /usr/local/sbin/",
            "RUN cp /bin/true /captrue && cp /bin/true /plain && setcap cap_net_raw+ep /captrue",
        ], [], Ct, [.. tools.Select(t => (t.tool, t.Path))]);

        var problems = await comparison.CompareLayersAsync(Ct);
        problems.AddRange(await comparison.CompareXattrsAsync(Ct));
        var (dockerLayer, tabulaLayer) = await comparison.LastLayerXattrsAsync(Ct);
        Assert.StartsWith("security.capability=", dockerLayer.GetValueOrDefault("captrue"));   // the reference keeps it
        Assert.Equal(dockerLayer.GetValueOrDefault("captrue"), tabulaLayer.GetValueOrDefault("captrue"));
        Assert.True(problems.Count == 0, comparison.Report(problems));

        var dockerSays = await comparison.Docker.RunAsync(comparison.Tag, ["/usr/local/sbin/getcap", "/captrue"], Ct);
        var tabulaSays = await comparison.TabulaRunAsync(["/usr/local/sbin/getcap", "/captrue"], Ct);
        Assert.Contains("cap_net_raw", dockerSays.EnsureSuccess().StandardOutput);
        Assert.Equal(dockerSays.StandardOutput, tabulaSays.StandardOutput);
    }

    /// <summary>
    /// <c>apt-get update</c> and <c>install</c> from this machine's Debian mirror (its sources copied into the build):
    /// downloads, dpkg's database, maintainer scripts, <c>update-alternatives</c> symlinks and the ldconfig trigger.
    /// </summary>
    [Fact]
    public async Task Apt_get_install_from_the_machines_mirror_gives_dockers_layers()
    {
        DebianBase.Rootfs();   // a missing base is a failure in CI, before an unreachable mirror could make it a skip
        var mirror = await DebianBase.ReachableMirrorAsync(Ct);
        await using var comparison = await DebianLayerComparison.StartAsync("debian-apt", Ct);

        await comparison.BuildBothAsync(
        [
            "COPY sources.list /etc/apt/sources.list",
            "RUN apt-get update && apt-get install -y --no-install-recommends file less",
        ], [("sources.list", DebianBase.SourcesList(mirror))], Ct);

        var reference = await comparison.Docker.RunAsync(comparison.Tag, ["sh", "-c", "file --version | head -n 1"], Ct);
        Assert.StartsWith("file-5.", reference.EnsureSuccess().StandardOutput);

        var problems = await comparison.CompareLayersAsync(Ct);
        Assert.True(problems.Count == 0, comparison.Report(problems));
    }

    private static string Tail(string? text) =>
        text is null ? "(no /etc/group)" : string.Join('\n', text.TrimEnd('\n').Split('\n').TakeLast(3));
}

/// <summary>
/// One Dockerfile on the Debian base, built by tabula (<c>--no-cache</c>) and by <c>DOCKER_BUILDKIT=0 docker build
/// --no-cache --network host</c> (the daemon has no bridge; tabula's RUN uses the host's network by default too),
/// both saved as docker archives; the layer of each RUN step is compared with docker's (other steps' layers are the
/// subject of the ADD and COPY tests).
/// <para>
/// What the comparison leaves out, and why (each differs between two docker builds of the same Dockerfile too, or says
/// nothing about the image; two docker builds of each Dockerfile here compare equal under these rules):
/// </para>
/// <list type="bullet">
/// <item>the mtime of an entry that the build wrote, i.e. whose mtime is not older than the start of the build, on
/// both sides: it is the clock at that moment. An mtime a command set (<c>touch -t</c>), kept from the base or taken
/// from a package is compared, and so is an entry that has the build's time on one side only;</item>
/// <item>size, content and mtime of files under <c>/var/log/</c>: dpkg, apt and update-alternatives log each action
/// with its time;</item>
/// <item>size, content and mtime of <c>/var/cache/ldconfig/aux-cache</c>: ldconfig's cache of the inode numbers and
/// ctimes of the libraries it scanned;</item>
/// <item>size, content and mtime of <c>/var/cache/apt/*.bin</c>: apt's binary caches, built from the index files'
/// own mtimes and sizes;</item>
/// <item>size, content and mtime of files under <c>/var/lib/apt/lists/</c>: the mirror's indexes as they were at the
/// moment of each build (the mirror may publish between the two);</item>
/// <item>the mode, owner and mtime of a whiteout (<c>.wh.NAME</c>): only its name and type mean anything to a
/// reader; docker writes 0600 for a deleted file and the directory's bits for an opaque one;</item>
/// <item>which member of a set of hard links carries the data: each member is compared as the file it is, plus the
/// set of paths linked to it in the layer (a writer may walk in another order, so either may come first);</item>
/// <item>an entry that one side's layer has exactly as the layers below have it and the other side's lacks: overlayfs
/// copies a file up when a command only opens it for writing (<c>/etc/.pwd.lock</c>, dpkg's and debconf's locks and
/// databases), so docker's layers hold such unchanged files, and a writer may or may not repeat unchanged parent
/// directories;</item>
/// <item>an opaque marker (<c>.wh..wh..opq</c>) in a directory the layers below do not have: overlayfs marks
/// directories a command creates opaque, and there is nothing below to hide.</item>
/// </list>
/// Paths, types, modes, owners, symlink targets and the content of everything else are compared exactly. A known,
/// accepted edge: <c>/etc/shadow</c> holds the day of the password change, so two builds on either side of midnight
/// UTC differ there.
/// </summary>
internal sealed class DebianLayerComparison : IAsyncDisposable
{
    /// <summary>Stands for "an mtime set by the clock during the build" in the records compared (and in messages).</summary>
    public const long WrittenDuringBuild = -1;

    private readonly TempDir _temp;
    private readonly TabulaCli _tabula;
    private readonly List<string> _steps = [];
    private long _buildStart;

    private DebianLayerComparison(TempDir temp, Docker docker, string tag)
    {
        _temp = temp;
        Docker = docker;
        Tag = tag;
        _tabula = new TabulaCli(temp.Combine("store"));
    }

    public Docker Docker { get; }

    /// <summary>The name of the built image, the same in tabula's store and in docker.</summary>
    public string Tag { get; }

    /// <summary>
    /// Gates on root, runc, the docker daemon and the Debian rootfs, then builds the base (<c>FROM scratch</c> +
    /// <c>ADD rootfs.tgz /</c>) into a new tabula store and into docker, under the same name.
    /// </summary>
    public static async Task<DebianLayerComparison> StartAsync(string purpose, CancellationToken cancellationToken)
    {
        Requirements.Root();
        Requirements.Tool("runc");
        var rootfs = DebianBase.Rootfs();
        var docker = await Docker.ConnectAsync(cancellationToken);
        var temp = new TempDir(purpose);
        try
        {
            var comparison = new DebianLayerComparison(temp, docker, docker.NewTag(purpose));
            var baseContext = temp.CreateDirectory("base");
            File.Copy(rootfs, Path.Combine(baseContext, "rootfs.tgz"));
            await File.WriteAllTextAsync(Path.Combine(baseContext, "Dockerfile"), ScratchContext.Dockerfile("rootfs.tgz"), cancellationToken);
            await docker.BuildLegacyAsync(baseContext, comparison.BaseTag, cancellationToken);
            await comparison._tabula.BuildAsync(baseContext, comparison.BaseTag, cancellationToken);
            return comparison;
        }
        catch
        {
            temp.Dispose();
            await docker.DisposeAsync();
            throw;
        }
    }

    private string BaseTag => Tag.Replace(":", "-base:", StringComparison.Ordinal);

    /// <summary>Builds <c>FROM base</c> + <paramref name="steps"/> with both tools; <paramref name="files"/> go into the context.</summary>
    /// <param name="copies">Files copied into the context as they are: (name in the context, path of the original).</param>
    public async Task BuildBothAsync(IReadOnlyList<string> steps, IReadOnlyList<(string Name, string Text)> files, CancellationToken cancellationToken,
        IReadOnlyList<(string Name, string Source)>? copies = null)
    {
        _steps.AddRange(steps);
        var context = _temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {BaseTag}\n{string.Join('\n', steps)}\n", cancellationToken);
        foreach (var (name, text) in files)
            await File.WriteAllTextAsync(Path.Combine(context, name), text, cancellationToken);
        foreach (var (name, source) in copies ?? [])
            File.Copy(source, Path.Combine(context, name));

        // Seconds, as tar headers have them; one second of slack for a clock read just before a second turns over.
        _buildStart = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        await Docker.BuildLegacyAsync(context, Tag, ["--network", "host"], cancellationToken);
        await _tabula.BuildAsync(context, Tag, cancellationToken, "--no-cache");
    }

    /// <summary>One message per layer that differs (with every difference in it), or none.</summary>
    public async Task<List<string>> CompareLayersAsync(CancellationToken cancellationToken)
    {
        var dockerArchive = _temp.Combine("docker.tar");
        await Docker.SaveAsync(Tag, dockerArchive, cancellationToken);
        var tabulaArchive = await _tabula.SaveAsync(Tag, _temp.Combine("tabula.tar"), "docker", cancellationToken);
        var dockerLayers = await DockerSaveArchive.ReadLayerListingsAsync(dockerArchive, cancellationToken);
        var tabulaLayers = await DockerSaveArchive.ReadLayerListingsAsync(tabulaArchive, cancellationToken);

        // Layer 0 is the base (an ADD of the same archive: DockerLayerEquivalenceTests' subject), then one per step.
        Assert.Equal(1 + _steps.Count, dockerLayers.Count);
        Assert.True(tabulaLayers.Count == dockerLayers.Count,
            $"tabula's image has {tabulaLayers.Count} layers, docker's {dockerLayers.Count}: one for the base and one per step of\n{string.Join('\n', _steps)}");

        var problems = new List<string>();
        var lower = new Dictionary<string, TarRecord>(StringComparer.Ordinal);   // what docker's layers below make
        for (var i = 0; i < dockerLayers.Count; i++)
        {
            var step = i == 0 ? "the base" : _steps[i - 1];
            if (step.StartsWith("RUN ", StringComparison.Ordinal))
            {
                var differences = TarDiff.Compare(Comparable(dockerLayers[i], tabulaLayers[i], lower), Comparable(tabulaLayers[i], dockerLayers[i], lower));
                if (differences.Count > 0)
                    problems.Add($"layer {i} ({step}): {differences.Count} differences between docker's ({dockerLayers[i].Count} entries) "
                                 + $"and tabula's ({tabulaLayers[i].Count} entries):\n" + string.Join('\n', differences.Take(40)));
            }
            Apply(lower, dockerLayers[i]);
        }
        return problems;
    }

    /// <summary>One message per RUN layer whose entries carry other extended attributes on docker's side than on tabula's.</summary>
    public async Task<List<string>> CompareXattrsAsync(CancellationToken cancellationToken)
    {
        var (dockerLayers, tabulaLayers) = await XattrsAsync(cancellationToken);
        var problems = new List<string>();
        for (var i = 1; i < dockerLayers.Count && i < tabulaLayers.Count; i++)
        {
            if (!_steps[i - 1].StartsWith("RUN ", StringComparison.Ordinal)) continue;
            var differences = dockerLayers[i].Keys.Union(tabulaLayers[i].Keys).Order(StringComparer.Ordinal)
                .Where(path => dockerLayers[i].GetValueOrDefault(path) != tabulaLayers[i].GetValueOrDefault(path))
                .Select(path => $"{path}: docker's [{dockerLayers[i].GetValueOrDefault(path)}], tabula's [{tabulaLayers[i].GetValueOrDefault(path)}]")
                .ToList();
            if (differences.Count > 0) problems.Add($"layer {i} ({_steps[i - 1]}): extended attributes differ:\n{string.Join('\n', differences)}");
        }
        return problems;
    }

    /// <summary>The extended attributes of the last layer's entries, by path: docker's, then tabula's.</summary>
    public async Task<(IReadOnlyDictionary<string, string> Docker, IReadOnlyDictionary<string, string> Tabula)> LastLayerXattrsAsync(CancellationToken cancellationToken)
    {
        var (dockerLayers, tabulaLayers) = await XattrsAsync(cancellationToken);
        return (dockerLayers[^1], tabulaLayers[^1]);
    }

    private async Task<(IReadOnlyList<IReadOnlyDictionary<string, string>>, IReadOnlyList<IReadOnlyDictionary<string, string>>)> XattrsAsync(CancellationToken cancellationToken)
    {
        var dockerArchive = _temp.Combine("docker-xattrs.tar");
        var tabulaArchive = _temp.Combine("tabula-xattrs.tar");
        if (!File.Exists(dockerArchive)) await Docker.SaveAsync(Tag, dockerArchive, cancellationToken);
        if (!File.Exists(tabulaArchive)) await _tabula.SaveAsync(Tag, tabulaArchive, "docker", cancellationToken);
        return (await DockerSaveArchive.ReadLayerXattrsAsync(dockerArchive, cancellationToken), await DockerSaveArchive.ReadLayerXattrsAsync(tabulaArchive, cancellationToken));
    }

    /// <summary><c>tabula run --rm</c> of the built image (no network).</summary>
    public Task<ProcessResult> TabulaRunAsync(IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        _tabula.RunCheckedAsync(["run", "--rm", "--network", "none", Tag, .. command], cancellationToken);

    /// <summary>The text of files of tabula's image as its merged filesystem has them (<c>tabula export</c>); absent ones are left out.</summary>
    public async Task<Dictionary<string, string>> ReadTabulaFilesAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var exported = _temp.Combine("tabula-export.tar");
        await _tabula.RunCheckedAsync(["export", "-o", exported, Tag], cancellationToken);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var file = File.OpenRead(exported);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var path = TarListing.NormalizePath(entry.Name);
            if (!paths.Contains(path))
                continue;
            if (entry.DataStream is { } data)
            {
                using var text = new StreamReader(data, Encoding.UTF8);
                found[path] = await text.ReadToEndAsync(cancellationToken);
            }
            else
            {
                found[path] = $"({entry.EntryType}{(entry.LinkName is { Length: > 0 } link ? " → " + link : "")})";
            }
        }
        return found;
    }

    /// <summary>The failure message: the problems, and how to read them.</summary>
    public string Report(IReadOnlyList<string> problems) =>
        $"tabula's build differs from docker's legacy builder for\nFROM debian-minbase\n{string.Join('\n', _steps)}\n"
        + $"(docker's side first in each difference; @{WrittenDuringBuild} = an mtime set during the build, not compared; "
        + "volatile files are listed without size and hash; an entry one side lacks is left out when it is the same as in the layers below)\n\n"
        + string.Join("\n\n", problems);

    /// <summary>
    /// A layer's listing as compared: without the entries that change nothing, hard links as sets and what is
    /// volatile taken out (see the class comment).
    /// </summary>
    private IReadOnlyList<TarRecord> Comparable(
        IReadOnlyList<TarRecord> layer, IReadOnlyList<TarRecord> otherSide, IReadOnlyDictionary<string, TarRecord> lower) =>
        WithLinkSets(WithoutNoOps(layer, otherSide, lower)).Select(Normalise).ToList();

    /// <summary>
    /// Leaves out what a layer may or may not hold without changing the image: an entry that the other side's layer
    /// does not have and that is exactly as the layers below have it (same type, mode, owner, size, mtime, link and
    /// content: overlayfs copies a file up when a command merely opens it for writing, e.g. a lock file, and a writer
    /// may add unchanged parent directories), unless a hard link of the layer names it; and an opaque marker in a
    /// directory the layers below do not have (there is nothing to hide: overlayfs marks new directories opaque).
    /// An entry both sides have is always compared, so a difference shows as the fields that differ.
    /// </summary>
    private static List<TarRecord> WithoutNoOps(
        IReadOnlyList<TarRecord> layer, IReadOnlyList<TarRecord> otherSide, IReadOnlyDictionary<string, TarRecord> lower)
    {
        var linked = layer.Where(r => r.Type == TarEntryType.HardLink).Select(r => r.LinkTarget!).ToHashSet(StringComparer.Ordinal);
        var onOtherSide = otherSide.Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        return layer.Where(record =>
            Path.GetFileName(record.Path) == OpaqueMarker
                ? lower.ContainsKey(Parent(record.Path))
                : onOtherSide.Contains(record.Path) || linked.Contains(record.Path)
                  || !lower.TryGetValue(record.Path, out var below) || below != record).ToList();
    }

    /// <summary>Puts a layer onto the merged listing below it: its whiteouts delete, then its entries are added.</summary>
    private static void Apply(Dictionary<string, TarRecord> merged, IReadOnlyList<TarRecord> layer)
    {
        foreach (var whiteout in layer.Where(r => Path.GetFileName(r.Path).StartsWith(WhiteoutPrefix, StringComparison.Ordinal)))
        {
            var name = Path.GetFileName(whiteout.Path);
            var parent = Parent(whiteout.Path);
            var deleted = name == OpaqueMarker ? null : Join(parent, name[WhiteoutPrefix.Length..]);
            foreach (var path in merged.Keys.ToList())
            {
                var hidden = deleted is null
                    ? path.StartsWith(parent == "." ? "" : parent + "/", StringComparison.Ordinal) && path != parent
                    : path == deleted || path.StartsWith(deleted + "/", StringComparison.Ordinal);
                if (hidden)
                    merged.Remove(path);
            }
        }
        foreach (var record in layer.Where(r => !Path.GetFileName(r.Path).StartsWith(WhiteoutPrefix, StringComparison.Ordinal)))
            merged[record.Path] = record;
    }

    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    private static string Parent(string path) => Path.GetDirectoryName(path) is { Length: > 0 } parent ? parent : ".";

    private static string Join(string parent, string name) => parent == "." ? name : parent + "/" + name;

    private TarRecord Normalise(TarRecord record)
    {
        if (Path.GetFileName(record.Path).StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            return record with { Mode = 0, Uid = 0, Gid = 0, ModifiedUnixSeconds = WrittenDuringBuild };
        if (record.ModifiedUnixSeconds >= _buildStart)
            record = record with { ModifiedUnixSeconds = WrittenDuringBuild };
        if (record.Type == TarEntryType.RegularFile && IsVolatile(record.Path))
            record = record with { Size = 0, Sha256 = null, ModifiedUnixSeconds = WrittenDuringBuild };
        return record;
    }

    private static bool IsVolatile(string path) =>
        path.StartsWith("var/log/", StringComparison.Ordinal)
        || path == "var/cache/ldconfig/aux-cache"
        || path is "var/cache/apt/pkgcache.bin" or "var/cache/apt/srcpkgcache.bin"
        || path.StartsWith("var/lib/apt/lists/", StringComparison.Ordinal);

    /// <summary>
    /// Every member of a set of hard links as the regular file it is (the data entry's size, hash, mode and owner),
    /// its link target replaced by the sorted set of the paths linked together. A link whose target is not a file of
    /// the layer is left as it is, so the comparison shows it.
    /// </summary>
    private static IEnumerable<TarRecord> WithLinkSets(IReadOnlyList<TarRecord> layer)
    {
        var byPath = layer.GroupBy(r => r.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var sets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);   // data entry's path → every member
        foreach (var link in layer.Where(r => r.Type == TarEntryType.HardLink))
        {
            if (!byPath.TryGetValue(link.LinkTarget!, out var data) || data.Type != TarEntryType.RegularFile)
                continue;
            if (!sets.TryGetValue(data.Path, out var members))
                sets[data.Path] = members = new SortedSet<string>(StringComparer.Ordinal) { data.Path };
            members.Add(link.Path);
        }
        var setOf = sets.SelectMany(set => set.Value.Select(member => (member, data: byPath[set.Key], set.Value)))
            .ToDictionary(x => x.member, x => (x.data, x.Value), StringComparer.Ordinal);
        foreach (var record in layer)
        {
            if (setOf.TryGetValue(record.Path, out var set) && (record.Type == TarEntryType.HardLink || record.Path == set.data.Path))
                yield return set.data with { Path = record.Path, LinkTarget = "hard-linked: " + string.Join(" = ", set.Value) };
            else
                yield return record;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Docker.DisposeAsync();
        _temp.Dispose();
    }
}
