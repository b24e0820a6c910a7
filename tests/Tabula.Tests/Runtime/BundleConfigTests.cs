using System.Text.Json;
using Tabula.Layers;
using Tabula.Runtime;

namespace Tabula.Tests.Runtime;

/// <summary>config.json as the runtime reads it: process, namespaces, mounts, capabilities.</summary>
public class BundleConfigTests
{
    private static JsonElement Generate(BundleSpec spec) => JsonDocument.Parse(BundleConfig.Generate(spec)).RootElement;

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    [Fact]
    public void Process_carries_args_env_cwd_and_user()
    {
        var json = Generate(new BundleSpec
        {
            Args = ["/bin/sh", "-c", "echo hi"],
            Env = ["PATH=/bin", "A=b"],
            Cwd = "/app",
            User = new ContainerUser(1000, 100, [10, 20], "/home/u"),
        });
        var process = json.GetProperty("process");
        Assert.Equal("1.0.2", json.GetProperty("ociVersion").GetString());
        Assert.Equal(["/bin/sh", "-c", "echo hi"], Strings(process.GetProperty("args")));
        Assert.Equal(["PATH=/bin", "A=b"], Strings(process.GetProperty("env")));
        Assert.Equal("/app", process.GetProperty("cwd").GetString());
        Assert.Equal(1000, process.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.Equal(100, process.GetProperty("user").GetProperty("gid").GetInt32());
        Assert.Equal([10, 20], process.GetProperty("user").GetProperty("additionalGids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.False(process.GetProperty("terminal").GetBoolean());
        Assert.False(process.GetProperty("noNewPrivileges").GetBoolean());
        // docker's default set (moby's oci/caps/defaults.go), written out rather than read from the code under test.
        string[] docker =
        [
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
            "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
        ];
        Assert.Equal(docker.Order(StringComparer.Ordinal), Strings(process.GetProperty("capabilities").GetProperty("bounding")).Order(StringComparer.Ordinal));
        Assert.Contains("CAP_CHOWN", Strings(process.GetProperty("capabilities").GetProperty("effective")));
        Assert.Equal("rootfs", json.GetProperty("root").GetProperty("path").GetString());
    }

    [Fact]
    public void Rootless_maps_the_caller_to_root_in_a_user_namespace_without_cgroup_resources()
    {
        var root = BundleConfig.Generate(new BundleSpec { Args = ["true"] });
        var json = Generate(new BundleSpec { Args = ["true"], Privileges = new ContainerPrivileges(true, 1000, 1001) });

        var linux = json.GetProperty("linux");
        Assert.Contains("user", linux.GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
        var uid = linux.GetProperty("uidMappings").EnumerateArray().Single();
        var gid = linux.GetProperty("gidMappings").EnumerateArray().Single();
        Assert.Equal((0, 1000, 1), (uid.GetProperty("containerID").GetInt32(), uid.GetProperty("hostID").GetInt32(), uid.GetProperty("size").GetInt32()));
        Assert.Equal((0, 1001, 1), (gid.GetProperty("containerID").GetInt32(), gid.GetProperty("hostID").GetInt32(), gid.GetProperty("size").GetInt32()));
        Assert.False(linux.TryGetProperty("resources", out _));
        Assert.DoesNotContain(json.GetProperty("mounts").EnumerateArray(), m => m.GetProperty("type").GetString() == "cgroup");
        var pts = json.GetProperty("mounts").EnumerateArray().Single(m => m.GetProperty("destination").GetString() == "/dev/pts");
        Assert.DoesNotContain("gid=5", Strings(pts.GetProperty("options")));
        Assert.DoesNotContain("uidMappings", root);
        Assert.Contains("\"gid=5\"", root);
    }

    [Theory]
    [InlineData(NetworkMode.Host, false)]
    [InlineData(NetworkMode.None, true)]
    public void Network_none_is_a_new_namespace_and_host_shares_the_hosts(NetworkMode network, bool ownNamespace)
    {
        var json = Generate(new BundleSpec { Args = ["true"], Network = network });
        var namespaces = json.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ToList();
        Assert.Subset(namespaces.ToHashSet(), new HashSet<string?> { "pid", "ipc", "uts", "mount" });
        Assert.Equal(ownNamespace, namespaces.Contains("network"));
        var sys = json.GetProperty("mounts").EnumerateArray().Single(m => m.GetProperty("destination").GetString() == "/sys");
        Assert.Contains("ro", Strings(sys.GetProperty("options")));
    }

    [Fact]
    public void Standard_mounts_and_bound_etc_files_are_there()
    {
        var spec = new BundleSpec
        {
            Args = ["true"],
            Hostname = "box",
            TmpfsTmp = true,
            BindFiles = [("/etc/hosts", "/b/hosts", true), ("/etc/resolv.conf", "/b/resolv.conf", false)],
        };
        var json = Generate(spec);
        var mounts = json.GetProperty("mounts").EnumerateArray().ToDictionary(m => m.GetProperty("destination").GetString()!);
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/tmp", "/etc/hosts", "/etc/resolv.conf"], mounts.Keys);
        Assert.Equal("cgroup", mounts["/sys/fs/cgroup"].GetProperty("type").GetString());
        Assert.Contains("ro", Strings(mounts["/sys/fs/cgroup"].GetProperty("options")));
        Assert.Equal("tmpfs", mounts["/dev"].GetProperty("type").GetString());
        Assert.Equal("/b/hosts", mounts["/etc/hosts"].GetProperty("source").GetString());
        Assert.Contains("ro", Strings(mounts["/etc/hosts"].GetProperty("options")));
        Assert.DoesNotContain("ro", Strings(mounts["/etc/resolv.conf"].GetProperty("options")));
        Assert.Equal("box", json.GetProperty("hostname").GetString());
        Assert.Contains(("/etc/hosts", false), BundleConfig.MountPoints(spec));
        Assert.Contains(("/proc", true), BundleConfig.MountPoints(spec));
    }

    [Fact]
    public void Cgroup_path_limits_and_namespace_go_to_linux()
    {
        var json = Generate(new BundleSpec
        {
            Args = ["true"],
            CgroupsPath = "/ci/jobs/tabula-1",
            CgroupNamespace = true,
            Sandbox = new SandboxSettings
            {
                Resources = new ContainerResources
                {
                    Memory = 64 << 20, MemorySwap = -1, CpuShares = 512, CpuPeriod = 100_000, CpuQuota = 50_000, CpusetCpus = "0-1", CpusetMems = "0",
                },
            },
        });
        var linux = json.GetProperty("linux");
        Assert.Equal("/ci/jobs/tabula-1", linux.GetProperty("cgroupsPath").GetString());
        Assert.Contains("cgroup", linux.GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
        var memory = linux.GetProperty("resources").GetProperty("memory");
        Assert.Equal((67108864L, -1L), (memory.GetProperty("limit").GetInt64(), memory.GetProperty("swap").GetInt64()));
        var cpu = linux.GetProperty("resources").GetProperty("cpu");
        Assert.Equal((512UL, 100_000UL, 50_000L), (cpu.GetProperty("shares").GetUInt64(), cpu.GetProperty("period").GetUInt64(), cpu.GetProperty("quota").GetInt64()));
        Assert.Equal(("0-1", "0"), (cpu.GetProperty("cpus").GetString(), cpu.GetProperty("mems").GetString()));
    }

    [Fact]
    public void Without_limits_the_runtime_decides_the_cgroup()
    {
        var linux = Generate(new BundleSpec { Args = ["true"] }).GetProperty("linux");
        Assert.False(linux.TryGetProperty("cgroupsPath", out _));
        Assert.False(linux.GetProperty("resources").TryGetProperty("memory", out _));
        Assert.False(linux.GetProperty("resources").TryGetProperty("cpu", out _));
        Assert.DoesNotContain("cgroup", linux.GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
        Assert.False(linux.TryGetProperty("devices", out _));
    }

    /// <summary>BuildKit's insecure mode (util/entitlements/security): all capabilities, every device, nothing masked, writable /sys.</summary>
    [Fact]
    public void Insecure_is_a_privileged_container()
    {
        var privileged = PrivilegedContainer.For(new HostFacts(0, 0, path => path == "/proc/self/status" ? "Name:\tx\nCapEff:\t000001fffeffffff\n" : null), freeLoop: 2);
        Assert.Contains("CAP_SYS_ADMIN", privileged.Capabilities);
        Assert.Contains("CAP_CHECKPOINT_RESTORE", privileged.Capabilities);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", privileged.Capabilities); // bit 24 is clear: this process lacks it, so no container gets it
        Assert.Contains(new ContainerDevice("/dev/loop9", 'b', 7, 9), privileged.Devices);
        Assert.DoesNotContain(privileged.Devices, d => d.Path == "/dev/loop10");

        var json = Generate(new BundleSpec { Args = ["true"], Privileged = privileged });
        var capabilities = json.GetProperty("process").GetProperty("capabilities");
        foreach (var set in new[] { "bounding", "effective", "inheritable", "permitted", "ambient" })
            Assert.Contains("CAP_SYS_ADMIN", Strings(capabilities.GetProperty(set)));
        var linux = json.GetProperty("linux");
        Assert.Empty(linux.GetProperty("maskedPaths").EnumerateArray());
        Assert.Empty(linux.GetProperty("readonlyPaths").EnumerateArray());
        Assert.All(linux.GetProperty("resources").GetProperty("devices").EnumerateArray(), d =>
        {
            Assert.True(d.GetProperty("allow").GetBoolean());
            Assert.Equal("rwm", d.GetProperty("access").GetString());
        });
        var fuse = linux.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("path").GetString() == "/dev/fuse");
        Assert.Equal(("c", 10, 229), (fuse.GetProperty("type").GetString(), fuse.GetProperty("major").GetInt32(), fuse.GetProperty("minor").GetInt32()));
        var mounts = json.GetProperty("mounts").EnumerateArray().ToDictionary(m => m.GetProperty("destination").GetString()!);
        Assert.DoesNotContain("ro", Strings(mounts["/sys"].GetProperty("options")));
        Assert.DoesNotContain("ro", Strings(mounts["/sys/fs/cgroup"].GetProperty("options")));
    }

    [Fact]
    public void Without_tmpfs_tmp_the_images_tmp_is_kept()
    {
        var json = Generate(new BundleSpec { Args = ["true"] });
        Assert.DoesNotContain(json.GetProperty("mounts").EnumerateArray(), m => m.GetProperty("destination").GetString() == "/tmp");
    }
}

/// <summary>USER as the runtime resolves it, through the image's /etc/passwd and /etc/group.</summary>
public class ContainerUserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FileTree Tree()
    {
        var tree = new FileTree();
        var defaults = DirectoryDefaults.Create(DateTimeOffset.UnixEpoch);
        Put(tree, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n", defaults);
        Put(tree, "etc/group", "root:x:0:\nstaff:x:50:app,other\napps:x:1001:\nwheel:x:10:app\n", defaults);
        return tree;
    }

    private static void Put(FileTree tree, string path, string text, DirectoryDefaults defaults)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        tree.Put(new LayerEntry { Path = path, Type = LayerEntryType.RegularFile, Mode = 0b110_100_100, Size = bytes.Length }, new BytesContent(bytes), defaults);
    }

    private sealed record BytesContent(byte[] Bytes) : IContentSource
    {
        public long Length => Bytes.Length;
        public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Stream>(new MemoryStream(Bytes));
    }

    [Theory]
    [InlineData(null, 0, 0, "/root")]
    [InlineData("app", 1000, 1001, "/home/app")]
    [InlineData("1000", 1000, 1001, "/home/app")]
    [InlineData("app:staff", 1000, 50, "/home/app")]
    [InlineData("4242", 4242, 0, "/")]
    [InlineData("4242:7", 4242, 7, "/")]
    public async Task Users_and_groups_resolve_like_runc(string? spec, int uid, int gid, string home)
    {
        var user = await ContainerUser.ResolveAsync(spec, Tree(), Ct);
        Assert.Equal((uid, gid, home), (user.Uid, user.Gid, user.Home));
    }

    [Fact]
    public async Task Supplementary_groups_come_from_etc_group()
    {
        var user = await ContainerUser.ResolveAsync("app", Tree(), Ct);
        Assert.Equal([1001, 50, 10], user.AdditionalGids);
    }

    /// <summary>BuildKit's testUserAdditionalGids: the primary group always, the listed ones only without a group.</summary>
    [Theory]
    [InlineData(null, new[] { 0 })]
    [InlineData("4242", new[] { 0 })]
    [InlineData("4242:7", new[] { 7 })]
    [InlineData("app:staff", new[] { 50 })]
    [InlineData("app:10", new[] { 10 })]
    [InlineData("1000", new[] { 1001, 50, 10 })]
    public async Task The_primary_group_is_always_a_supplementary_one(string? spec, int[] expected)
    {
        var user = await ContainerUser.ResolveAsync(spec, Tree(), Ct);
        Assert.Equal(expected, user.AdditionalGids);
    }

    [Fact]
    public async Task An_unknown_name_is_an_error()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => ContainerUser.ResolveAsync("ghost", Tree(), Ct));
        Assert.Contains("ghost", error.Message);
    }
}
