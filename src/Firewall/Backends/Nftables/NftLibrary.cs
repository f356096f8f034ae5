using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using RouterAdmin.Firewall.Backends.Netlink;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// nft's own library (libnftables, which the <c>nft</c> binary is a thin shell around) inside the console: the same
/// parser, the same one-batch transaction and the same JSON, without a process per command. Measured on 10,000
/// elements: moving one element costs the binary ~20 ms (start-up, and closing its netlink socket after a delete
/// waits in the kernel for 5–15 ms), the kept context ~0.1 ms. One context is kept for the console's life on one
/// thread of its own, which joins the configured network namespace first: the context's netlink socket belongs to the
/// namespace it was opened in, and a context may not be used by two threads at once.
/// </summary>
public sealed class NftLibrary(IOptions<FirewallOptions> options, ILogger<NftLibrary> logger) : IDisposable
{
    private const uint OutputJson = 1 << 4;          // NFT_CTX_OUTPUT_JSON

    public readonly record struct Result(int Status, string Output, string Error);

    private sealed record Request(string Commands, bool Json, TaskCompletionSource<Result> Done);

    /// <summary>The context's thread, and the namespace it is in (a namespace made again under the same name is another).</summary>
    private sealed record Worker(BlockingCollection<Request> Requests, ulong Namespace);

    private readonly Lock _startLock = new();
    private Worker? _worker;
    private Exception? _startFailure;

    /// <summary>Whether the console runs nft through the library (the default) or starts the <c>nft</c> binary.</summary>
    public bool Enabled => !string.IsNullOrEmpty(options.Value.NftLibrary);

    /// <summary>How the preview and the history name what runs a transaction.</summary>
    public string Describe(string what)
    {
        var ns = options.Value.Namespace;
        return $"nft -f - < {what}   (in-process: {options.Value.NftLibrary}{(string.IsNullOrEmpty(ns) ? "" : $", network namespace {ns}")})";
    }

    /// <summary>
    /// Runs commands in nft's input language as one <c>nft -f</c> would (one transaction for all the changes in it);
    /// with <paramref name="json"/>, listings come back as <c>nft -j</c> prints them.
    /// </summary>
    public async Task<Result> RunAsync(string commands, bool json, CancellationToken cancellationToken)
    {
        var requests = Start();
        var request = new Request(commands, json, new TaskCompletionSource<Result>(TaskCreationOptions.RunContinuationsAsynchronously));
        requests.Add(request, CancellationToken.None);
        // Once handed over a transaction runs to its end: it cannot be taken back from the kernel half way, so only the
        // wait is bounded, and a context stuck in the kernel fails the apply instead of hanging it.
        try
        {
            return await request.Done.Task.WaitAsync(TimeSpan.FromSeconds(options.Value.CommandTimeoutSeconds), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new FirewallCommandException(Describe("commands"), -1, $"timed out after {options.Value.CommandTimeoutSeconds} s");
        }
    }

    private BlockingCollection<Request> Start()
    {
        lock (_startLock)
        {
            if (_startFailure is { } failed) throw failed;
            var ns = options.Value.Namespace;
            if (_worker is { } running && (string.IsNullOrEmpty(ns) || NetworkNamespace.OfName(ns) == running.Namespace)) return running.Requests;
            _worker?.Requests.CompleteAdding();
            _worker = null;
            var started = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
            var requests = new BlockingCollection<Request>();
            var thread = new Thread(() => Serve(requests, started)) { IsBackground = true, Name = "libnftables" };
            thread.Start();
            try
            {
                _worker = new Worker(requests, started.Task.GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                // Loading is asked once: a library installed later needs a restart, like the nft binary's check.
                _startFailure = new FirewallCommandException(Describe("commands"), -1, $"could not be started: {e.Message}");
                throw _startFailure;
            }
            return requests;
        }
    }

    private void Serve(BlockingCollection<Request> requests, TaskCompletionSource<ulong> started)
    {
        Native native;
        IntPtr context;
        ulong inside;
        try
        {
            if (options.Value.Namespace is { Length: > 0 } ns) NetworkNamespace.Join(ns);
            inside = NetworkNamespace.OfThisThread();
            native = Native.Load(options.Value.NftLibrary!);
            context = native.New(0);
            if (context == IntPtr.Zero) throw new InvalidOperationException("nft_ctx_new returned no context");
            // Output and errors into buffers instead of the console's own stdout and stderr.
            if (native.BufferOutput(context) != 0 || native.BufferError(context) != 0)
                throw new InvalidOperationException("libnftables could not buffer its output");
        }
        catch (Exception e)
        {
            started.SetException(e);
            return;
        }
        started.SetResult(inside);
        logger.LogInformation("nft runs in-process through {Library}", options.Value.NftLibrary);
        foreach (var request in requests.GetConsumingEnumerable())
        {
            try
            {
                native.SetOutputFlags(context, request.Json ? OutputJson : 0);
                var status = native.Run(context, request.Commands);
                request.Done.SetResult(new Result(status, Text(native.OutputBuffer(context)), Text(native.ErrorBuffer(context))));
            }
            catch (Exception e)
            {
                request.Done.SetException(e);
            }
        }
        native.Free(context);
    }

    private static string Text(IntPtr buffer) => buffer == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(buffer) ?? "";

    public void Dispose() => _worker?.Requests.CompleteAdding();

    /// <summary>
    /// The five functions of libnftables' API the console uses, bound from the library the configuration names (so a
    /// test can name one that does not exist), as delegates: the console compiles no unsafe code.
    /// </summary>
    private sealed class Native
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr NewContext(uint flags);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int ContextCall(IntPtr context);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr BufferCall(IntPtr context);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void FlagsCall(IntPtr context, uint flags);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void FreeCall(IntPtr context);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int RunCall(IntPtr context, [MarshalAs(UnmanagedType.LPUTF8Str)] string commands);

        public required NewContext New { get; init; }
        public required ContextCall BufferOutput { get; init; }
        public required ContextCall BufferError { get; init; }
        public required BufferCall OutputBuffer { get; init; }
        public required BufferCall ErrorBuffer { get; init; }
        public required FlagsCall SetOutputFlags { get; init; }
        public required RunCall Run { get; init; }
        public required FreeCall Free { get; init; }

        public static Native Load(string path)
        {
            var library = NativeLibrary.Load(path);
            T Export<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));
            return new Native
            {
                New = Export<NewContext>("nft_ctx_new"),
                BufferOutput = Export<ContextCall>("nft_ctx_buffer_output"),
                BufferError = Export<ContextCall>("nft_ctx_buffer_error"),
                OutputBuffer = Export<BufferCall>("nft_ctx_get_output_buffer"),
                ErrorBuffer = Export<BufferCall>("nft_ctx_get_error_buffer"),
                SetOutputFlags = Export<FlagsCall>("nft_ctx_output_set_flags"),
                Run = Export<RunCall>("nft_run_cmd_from_buffer"),
                Free = Export<FreeCall>("nft_ctx_free"),
            };
        }
    }
}
