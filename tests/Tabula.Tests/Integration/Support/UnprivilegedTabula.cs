using System.Text.Json;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// The <c>tabula</c> program run as a normal user (uid and gid 65534, no supplementary groups) through
/// <c>setpriv</c>, for rootless tests under a root test run. The program's files are copied into a folder that
/// user can read (the checkout may sit where it cannot); HOME, TMPDIR and the store are given explicitly and
/// nothing else of this process's environment reaches it.
/// </summary>
public sealed class UnprivilegedTabula
{
    public const int Id = 65534;

    private readonly string _program;
    private readonly string _home;

    private UnprivilegedTabula(string program, string home, string temporary)
    {
        _program = program;
        _home = home;
        Temporary = temporary;
    }

    /// <summary>The TMPDIR the program sees (its bundles go there), to check that it tidies up.</summary>
    public string Temporary { get; }

    /// <summary>
    /// Gates on root, setpriv and user namespaces for that user, then lays the program out in
    /// <paramref name="directory"/>. The caller hands the folders the user needs over with <see cref="GiveAsync"/>.
    /// </summary>
    public static async Task<UnprivilegedTabula> CreateAsync(string directory, CancellationToken cancellationToken)
    {
        Requirements.Root();
        var setpriv = Requirements.Tool("setpriv", "util-linux");
        var unshare = Requirements.Tool("unshare", "util-linux");
        var probe = await ProcessRunner.RunAsync(setpriv, [.. SetprivArguments, unshare, "--user", "--map-root-user", "true"], cancellationToken);
        if (!probe.Succeeded)
            Requirements.Unmet($"a normal user cannot create user namespaces here: {probe.StandardError.Trim()}");

        var bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
        foreach (var name in ProgramFiles())
            File.Copy(Path.Combine(AppContext.BaseDirectory, name), Path.Combine(bin, name));
        var home = Directory.CreateDirectory(Path.Combine(directory, "home")).FullName;
        var temporary = Directory.CreateDirectory(Path.Combine(directory, "tmp")).FullName;
        await GiveAsync(directory, cancellationToken);
        return new UnprivilegedTabula(Path.Combine(bin, "tabula"), home, temporary);
    }

    /// <summary>Hands <paramref name="path"/> and everything in it to the user.</summary>
    public static async Task GiveAsync(string path, CancellationToken cancellationToken) =>
        await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{Id}:{Id}", path], cancellationToken);

    /// <summary>Runs <c>tabula --root STORE ARGS…</c> as the user (with <paramref name="variables"/> added to its environment); the result whatever the exit code.</summary>
    public async Task<ProcessResult> RunAsync(string store, IEnumerable<string> arguments, CancellationToken cancellationToken, params IEnumerable<string> variables)
    {
        List<string> environment = ["env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + _home, "TMPDIR=" + Temporary, .. variables];
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
            environment.Add("DOTNET_ROOT=" + dotnetRoot);
        return await ProcessRunner.RunAsync(Requirements.Tool("setpriv", "util-linux"),
            [.. SetprivArguments, .. environment, _program, "--root", store, .. arguments], cancellationToken);
    }

    private static readonly string[] SetprivArguments = [$"--reuid={Id}", $"--regid={Id}", "--clear-groups"];

    /// <summary>The apphost, its runtime files and the assemblies its deps.json names, all beside the tests.</summary>
    private static IEnumerable<string> ProgramFiles()
    {
        string[] own = ["tabula", "tabula.dll", "tabula.deps.json", "tabula.runtimeconfig.json"];
        using var deps = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "tabula.deps.json")));
        var assemblies = deps.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(target => target.Value.EnumerateObject())
            .SelectMany(library => library.Value.TryGetProperty("runtime", out var runtime) ? runtime.EnumerateObject().Select(a => Path.GetFileName(a.Name)) : []);
        return own.Concat(assemblies).Distinct(StringComparer.Ordinal).ToList();
    }
}
