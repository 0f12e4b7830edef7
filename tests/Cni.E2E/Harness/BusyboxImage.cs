namespace Cni.E2E.Harness;

/// <summary>
/// A local OCI image archive built by hand from Debian's busybox-static: one layer with busybox
/// and its applet links, an image config, a manifest and an index naming <see cref="Reference"/>. No registry.
/// </summary>
internal static class BusyboxImage
{
    public const string Reference = "docker.io/library/wincni-e2e-box:latest";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _archive;

    private const string Script = """
        set -eu
        cd "$1"
        rm -rf rootfs oci
        mkdir -p rootfs/bin rootfs/etc rootfs/proc rootfs/sys rootfs/dev rootfs/tmp rootfs/root oci/blobs/sha256
        cp "$(command -v busybox)" rootfs/bin/busybox
        for a in sh ls cat ip ping nc sleep echo hostname ifconfig route netstat true; do ln -s busybox rootfs/bin/$a; done
        echo 'root:x:0:0:root:/root:/bin/sh' > rootfs/etc/passwd; echo 'root:x:0:' > rootfs/etc/group
        tar --numeric-owner --owner=0 --group=0 -C rootfs -cf layer.tar .
        L=$(sha256sum layer.tar | cut -d' ' -f1); LS=$(stat -c%s layer.tar); mv layer.tar oci/blobs/sha256/$L
        printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' $L > cfg.json
        C=$(sha256sum cfg.json | cut -d' ' -f1); CS=$(stat -c%s cfg.json); mv cfg.json oci/blobs/sha256/$C
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' $C $CS $L $LS > man.json
        M=$(sha256sum man.json | cut -d' ' -f1); MS=$(stat -c%s man.json); mv man.json oci/blobs/sha256/$M
        printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' $M $MS "$2" > oci/index.json
        echo '{"imageLayoutVersion":"1.0.0"}' > oci/oci-layout
        tar -C oci -cf box.oci.tar oci-layout index.json blobs
        rm -rf rootfs oci
        """;

    /// <summary>The archive's path (built once per run).</summary>
    public static async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_archive is null)
            {
                var directory = ClusterRun.NewDirectory("image");
                await Shell.CheckAsync("bash", ["-c", Script, "build-image", directory, Reference], cancellationToken).ConfigureAwait(false);
                _archive = Path.Combine(directory, "box.oci.tar");
            }

            return _archive;
        }
        finally
        {
            Gate.Release();
        }
    }
}
