using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_heredoc_test.go (the COPY cases; files read from the image).</summary>
public class HeredocTests
{
    /// <summary>busybox's adduser is replaced by the /etc/passwd and /etc/group it would leave; stat by the layer's modes and owners.</summary>
    [Fact]
    public async Task TestCopyHeredoc()
    {
        using var h = new BuildHarness();
        h.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        h.File("etc/group", "root:x:0:\nuser:x:1000:\n");
        var image = await MergedImage.BuildAsync(h, """
            FROM scratch AS build
            COPY etc /etc
            WORKDIR /dest
            COPY <<EOF single
            single file
            EOF
            COPY <<EOF <<EOF2 double/
            first file
            EOF
            second file
            EOF2
            COPY --chmod=777 <<EOF /permfiles/all
            dummy content
            EOF
            COPY --chmod=0644 <<EOF /permfiles/rw
            dummy content
            EOF
            COPY --chown=user:user <<EOF /permfiles/owned
            dummy content
            EOF

            """);
        Assert.Equal("single file\n", image.Text("dest/single"));
        Assert.Equal("first file\n", image.Text("dest/double/EOF"));
        Assert.Equal("second file\n", image.Text("dest/double/EOF2"));
        Assert.Equal(0b111_111_111, image.Entry("permfiles/all").Mode);
        Assert.Equal(0b110_100_100, image.Entry("permfiles/rw").Mode);
        Assert.Equal((1000, 1000), (image.Entry("permfiles/owned").Uid, image.Entry("permfiles/owned").Gid));
    }
}
