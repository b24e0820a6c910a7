using System.Text.Json;
using Tabula.Layers;

namespace Tabula.Runtime.Cdi;

/// <summary><c>RUN --device=NAME[,required]</c>: a CDI device by its qualified name (<c>vendor.com/class=name</c>, <c>…=*</c> for all of a kind, the kind alone for its first).</summary>
public sealed record DeviceRequest(string Name, bool Required)
{
    /// <summary>BuildKit's ParseDevice: CSV fields, the name first (or <c>name=</c>), then <c>required</c> or <c>required=BOOL</c>.</summary>
    public static DeviceRequest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? name = null;
        bool required = false;
        foreach (var field in text.Split(','))
        {
            int eq = field.IndexOf('=', StringComparison.Ordinal);
            string key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            if (key == "required" && eq < 0) required = true;
            else if (key == "required")
                required = bool.TryParse(field[(eq + 1)..], out var value) ? value : throw new FormatException($"invalid --device '{text}': required takes true or false");
            else if (key == "name" && eq >= 0)
                name = name is null ? field[(eq + 1)..] : throw new FormatException($"invalid --device '{text}': device name already set to {name}");
            else if (name is null && field.Length > 0) name = field;
            else throw new FormatException($"invalid --device '{text}': give NAME[,required] with NAME as vendor.com/class=device");
        }
        return name is { Length: > 0 } ? new DeviceRequest(name, required) : throw new FormatException($"invalid --device '{text}': no device name");
    }
}

/// <summary>What the devices a RUN asked for change in its container, merged in the order asked.</summary>
internal sealed record DeviceEdits(IReadOnlyList<string> Env, IReadOnlyList<ContainerDevice> Nodes, IReadOnlyList<ContainerMount> Mounts, IReadOnlyList<string> Names)
{
    public static DeviceEdits None { get; } = new([], [], [], []);

    /// <summary>For the step's cache key: which devices, and what they change (a changed spec is another RUN).</summary>
    public string KeyText() => string.Join(';', [.. Names, .. Env, .. Nodes.Select(n => $"{n.Path}:{n.Type}:{n.Major}:{n.Minor}:{n.Access}"),
        .. Mounts.Select(m => m.Destination + "<" + m.Source + ":" + string.Join(',', m.Options))]);
}

/// <summary>
/// The CDI specs of this machine, as BuildKit's CDI manager reads them (<c>/etc/cdi</c>, <c>/var/run/cdi</c>): the
/// JSON files (<c>*.json</c>). YAML specs (<c>*.yaml</c>, <c>*.yml</c>) are not read — tabula has no YAML reader — and a
/// device not found among the JSON ones says so. Devices need the <c>device</c> entitlement (<c>--allow device</c>)
/// unless their spec marks them <c>org.mobyproject.buildkit.device.autoallow: "true"</c>, as in BuildKit.
/// </summary>
internal sealed class CdiDevices
{
    public const string AutoAllowAnnotation = "org.mobyproject.buildkit.device.autoallow";
    private const string ClassAnnotation = "org.mobyproject.buildkit.device.class";

    private readonly List<(string Qualified, CdiSpec Spec, CdiDevice Device)> _devices = [];
    private readonly List<string> _yamlFiles = [];
    private readonly IReadOnlyList<string> _directories;

    private CdiDevices(IReadOnlyList<string> directories) => _directories = directories;

    public static IReadOnlyList<string> DefaultDirectories { get; } = ["/etc/cdi", "/var/run/cdi"];

    public static CdiDevices Load(IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var result = new CdiDevices(directories);
        foreach (var directory in directories.Where(Directory.Exists))
        {
            foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                var extension = Path.GetExtension(file);
                if (extension is ".yaml" or ".yml") result._yamlFiles.Add(file);
                if (extension != ".json") continue;
                CdiSpec spec;
                try
                {
                    using var stream = File.OpenRead(file);
                    spec = JsonSerializer.Deserialize(stream, CdiJsonContext.Default.CdiSpec) ?? new CdiSpec();
                }
                catch (JsonException e)
                {
                    throw new CdiException($"CDI spec {file} is not valid JSON ({e.Message}); fix or remove it", e);
                }
                if (spec.Kind is not { } kind || !kind.Contains('/', StringComparison.Ordinal))
                    throw new CdiException($"CDI spec {file} has no kind (vendor.com/class); fix or remove it");
                foreach (var device in spec.Devices.Where(d => d.Name is { Length: > 0 }))
                    result._devices.Add((kind + "=" + device.Name, spec, device));
            }
        }
        return result;
    }

    /// <summary>The devices asked for, with their edits; an optional one that is not there is left out, as BuildKit does.</summary>
    public DeviceEdits Resolve(IReadOnlyList<DeviceRequest> requests, bool allowAll)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var chosen = new List<(string Qualified, CdiSpec Spec, CdiDevice Device)>();
        foreach (var request in requests)
        {
            var found = Find(request.Name);
            if (found.Count == 0 && request.Required)
                throw new CdiException($"required device \"{request.Name}\" is not registered: no CDI spec in {string.Join(" or ", _directories)} names it"
                    + (_yamlFiles.Count > 0 ? $" (YAML specs are not read: write {string.Join(", ", _yamlFiles.Select(Path.GetFileName))} as JSON)" : ""));
            foreach (var device in found)
            {
                if (!allowAll && !AutoAllowed(device.Device))
                    throw new CdiException($"device \"{device.Qualified}\" is requested by the build but not allowed: build with --allow device");
                if (!chosen.Contains(device)) chosen.Add(device);
            }
        }
        if (chosen.Count == 0) return DeviceEdits.None;
        var env = new List<string>();
        var nodes = new List<ContainerDevice>();
        var mounts = new List<ContainerMount>();
        foreach (var edits in chosen.Select(c => c.Spec).Distinct().Select(s => s.ContainerEdits).Concat(chosen.Select(c => c.Device.ContainerEdits)))
        {
            if (edits is null) continue;
            if (edits.Hooks.Count > 0)
                throw new CdiException($"CDI hooks are not supported (device {string.Join(", ", chosen.Select(c => c.Qualified))}); use a spec without hooks");
            env.AddRange(edits.Env);
            nodes.AddRange(edits.DeviceNodes.Select(Node));
            mounts.AddRange(edits.Mounts.Select(Mount));
        }
        return new DeviceEdits(env, nodes, mounts, [.. chosen.Select(c => c.Qualified)]);
    }

    /// <summary>BuildKit's parseDevice: <c>kind=name</c>, <c>kind=*</c> every device of the kind, <c>kind</c> its first; else a class annotation.</summary>
    private List<(string Qualified, CdiSpec Spec, CdiDevice Device)> Find(string name)
    {
        int eq = name.IndexOf('=', StringComparison.Ordinal);
        string kind = eq < 0 ? name : name[..eq];
        string device = eq < 0 ? "" : name[(eq + 1)..];
        var ofKind = _devices.Where(d => d.Spec.Kind == kind).ToList();
        var found = device switch
        {
            "" => ofKind.Take(1).ToList(),
            "*" => ofKind,
            _ => ofKind.Where(d => d.Qualified == name).ToList(),
        };
        return found.Count > 0 ? found
            : _devices.Where(d => d.Device.Annotations?.GetValueOrDefault(ClassAnnotation) == name).ToList();
    }

    private static bool AutoAllowed(CdiDevice device)
        => device.Annotations?.GetValueOrDefault(AutoAllowAnnotation) is { } value && bool.TryParse(value, out var allowed) && allowed;

    /// <summary>A device node: numbers and type from the spec, else from the node on this machine (<c>hostPath</c>, else <c>path</c>).</summary>
    private static ContainerDevice Node(CdiDeviceNode node)
    {
        var path = node.Path is { Length: > 0 } p && p.StartsWith('/') ? p : throw new CdiException($"a CDI device node has no absolute path ('{node.Path}')");
        var type = node.Type;
        long? major = node.Major, minor = node.Minor;
        if (major is null || minor is null || type is null)
        {
            var host = node.HostPath ?? path;
            var status = Posix.Lstat(host) ?? throw new CdiException($"CDI device node {host} does not exist on this machine");
            int kind = status.Mode & Posix.TypeMask;
            type ??= kind == Posix.TypeBlock ? "b" : kind == Posix.TypeCharacter ? "c" : throw new CdiException($"CDI device node {host} is not a device");
            major ??= status.RdevMajor;
            minor ??= status.RdevMinor;
        }
        if (type is not ("c" or "b" or "u" or "p"))
            throw new CdiException($"CDI device node {path} has type '{type}': give c, b, u or p");
        return new ContainerDevice(path, type[0], major.Value, minor.Value) { Access = node.Permissions is { Length: > 0 } access ? access : "rwm" };
    }

    private static ContainerMount Mount(CdiMount mount)
    {
        var destination = mount.ContainerPath is { Length: > 0 } d && d.StartsWith('/') ? d : throw new CdiException($"a CDI mount has no absolute containerPath ('{mount.ContainerPath}')");
        var source = mount.HostPath is { Length: > 0 } s ? s : throw new CdiException($"the CDI mount on {destination} has no hostPath");
        return new ContainerMount(destination, mount.Type ?? "bind", source, mount.Options.Count > 0 ? mount.Options : ["rbind", "rprivate"], IsFile: File.Exists(source));
    }
}
