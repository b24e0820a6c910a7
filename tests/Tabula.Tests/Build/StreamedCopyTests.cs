using System.Formats.Tar;
using System.Net.Sockets;
using Tabula.Build;
using Tabula.Dockerfile.Ignore;
using Tabula.Layers;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Build;

/// <summary>
/// A COPY of a context directory onto an empty stage streamed from the walk into the layer must write the very bytes
/// the copy into a tree writes: the same entries, order, metadata, hardlinks and exclusions.
/// </summary>
public sealed class StreamedCopyTests : IDisposable
{
    private static readonly DateTimeOffset Build = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private readonly TempDir _context = new("streamed-ctx");
    private readonly TempDir _store = new("streamed-store");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public StreamedCopyTests()
    {
        var files = new FixtureWriter(_context.Path);
        files.Directory("src", "755");
        files.Directory("src/bin", "750");
        files.File("src/bin/tool", "#!/bin/sh\necho tool\n", "755");
        files.File("src/bin/empty", "", "600");
        File.CreateSymbolicLink(files.Combine("src", "bin", "sh"), "tool");
        File.CreateSymbolicLink(files.Combine("src", "dangling"), "/nowhere/at/all");
        files.Directory("src/etc", "755");
        files.File("src/etc/hosts", "127.0.0.1 localhost\n", "644");
        // Two more names of one inode, one sorting before the first and one in another folder.
        files.File("src/etc/passwd", "root:x:0:0::/root:/bin/sh\n", "644");
        Posix.Link(files.Combine("src", "etc", "passwd"), files.Combine("src", "etc", "group"));
        Posix.Link(files.Combine("src", "etc", "passwd"), files.Combine("src", "bin", "passwd.link"));
        files.Directory("src/empty", "700");
        // Names whose order differs between UTF-16 and code points (the surrogate pair sorts last), and a dash that sorts before '/'.
        files.Directory("src/names", "755");
        files.File("src/names/\U0001F600", "emoji\n", "644");
        files.File("src/names/\uFB01", "ligature\n", "644");
        files.File("src/names/z", "z\n", "644");
        files.File("src/names-x", "dash\n", "644");
        files.Directory("src/logs", "755");
        files.File("src/logs/a.log", "log\n", "644");
        files.File("src/logs/keep.txt", "kept\n", "644");
        files.File("src/big.bin", new string('x', 200_000), "644");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            socket.Bind(new UnixDomainSocketEndPoint(files.Combine("src", "control.sock")));
        var old = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        foreach (var path in Directory.EnumerateFileSystemEntries(files.Combine("src"), "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is null))
            File.SetLastWriteTimeUtc(path, old);
        Directory.SetLastWriteTimeUtc(files.Combine("src"), old);
    }

    public static TheoryData<string, string?, string?, string?, bool> Cases => new()
    {
        // destination, --chown (uid:gid), --chmod, --exclude, SOURCE_DATE_EPOCH
        { "/", null, null, null, true },
        { "/app/", null, null, null, false },
        { "/opt/deep/app", "10:20", null, null, true },
        { "app/", null, "0750", "*.log", true },
        { "/srv/", "7:7", "u+x,go-w", "logs", false },
        { "/", null, null, "logs\n!logs/keep.txt", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_streamed_layer_is_byte_for_byte_the_tree_s(string destination, string? chown, string? chmod, string? exclude, bool epoch)
    {
        var context = BuildContext.Open(_context.Path, null);
        var rewrites = new EntryRewrites
        {
            Epoch = epoch ? Build.AddYears(-10) : null,
            Chown = chown is null ? null : new Ownership(int.Parse(chown.Split(':')[0]), int.Parse(chown.Split(':')[1])),
            Chmod = chmod is null ? null : ModeChange.Parse(chmod),
        };
        var directories = DirectoryDefaults.Create(Build, rewrites.Chown);
        if (rewrites.Chmod?.Octal is { } mode) directories = directories with { Mode = mode };
        var placement = new Placement(LayerPath.Clean("/" + destination), destination.EndsWith('/'), rewrites, directories,
            exclude is null ? null : new DockerignoreMatcher(exclude.Split('\n')), KeepParents: false);

        var fromTree = new MemoryStream();
        await using (var session = new BuildSession(_store.Path))
        {
            var upper = FileTree.Over(new FileTree());
            await new ContextCopier(context, upper, placement, session).CopyAsync("src", "src", isAdd: false, forceDirectory: false, Ct);
            upper.TouchChangedDirectories(Build);
            await LayerEmitter.WriteLayerAsync(upper, fromTree, Ct);
        }
        var streamed = new MemoryStream();
        await new StreamedCopy(context, placement, Build).WriteAsync(new FileTree(), context.Resolve("src"), streamed, Ct);

        var entries = await NamesAsync(fromTree.ToArray());
        Assert.Contains(entries, e => e.Type == TarEntryType.HardLink);
        Assert.True(entries.Count >= 15, string.Join(", ", entries));
        Assert.Equal(entries, await NamesAsync(streamed.ToArray()));
        Assert.Equal(fromTree.ToArray(), streamed.ToArray());
    }

    [Fact]
    public async Task A_build_that_streams_its_copy_makes_the_image_a_build_through_the_tree_makes()
    {
        // A later WORKDIR reads the stage's tree, so the second build copies through a tree; "/" adds no layer.
        using var h = new BuildHarness();
        h.File("src/a/b.txt", "b\n");
        h.File("src/c.txt", "c\n");
        h.Symlink("src/a/link", "../c.txt");
        var streamed = await h.BuildImageAsync("FROM scratch\nCOPY src/ /app/\n", "streamed:1");
        var throughTree = await h.BuildImageAsync("FROM scratch\nCOPY src/ /app/\nWORKDIR /\n", "tree:1");
        Assert.Equal(Assert.Single(throughTree.Layers).Digest, Assert.Single(streamed.Layers).Digest);
        var rows = await LayerContents.ReadAsync(streamed.Layers[0]);
        Assert.Equal(["app", "app/a", "app/a/b.txt", "app/a/link", "app/c.txt"], rows.Select(r => r.Path));

        // The stage keeps no tree after a streamed copy: a stage built on it reads it back from the layer.
        var child = await h.BuildImageAsync("FROM scratch AS base\nCOPY src/ /app/\nFROM base\nCOPY src/c.txt /app/a/\n", "child:1");
        Assert.Equal(streamed.Layers[0].Digest, child.Layers[0].Digest);
        Assert.Equal(["app", "app/a", "app/a/c.txt"], (await LayerContents.ReadAsync(child.Layers[1])).Select(r => r.Path));
    }

    [Theory]
    [InlineData("ENV A=1\nRUN true\nUSER 1\nCMD [\"x\"]\nHEALTHCHECK NONE\n", false)]
    [InlineData("RUN true\nCOPY b /b\n", true)]
    [InlineData("ADD b /b\n", true)]
    [InlineData("WORKDIR /srv\n", true)]
    public void Only_a_later_ADD_COPY_or_WORKDIR_reads_the_stage_s_tree(string later, bool reads)
    {
        var stage = Tabula.Dockerfile.DockerfileParser.Parse("FROM scratch\n" + later, "Dockerfile").Stages[0];
        Assert.Equal(reads, StageRun.ReadsTree(stage.Instructions));
    }

    private static async Task<List<(string Name, TarEntryType Type)>> NamesAsync(byte[] tar)
    {
        var names = new List<(string, TarEntryType)>();
        await using var reader = new TarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync(cancellationToken: Ct) is { } entry) names.Add((entry.Name, entry.EntryType));
        return names;
    }

    public void Dispose()
    {
        _context.Dispose();
        _store.Dispose();
    }
}
