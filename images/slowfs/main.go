// slowfs mounts a passthrough (loopback) FUSE file system whose fsync waits: every fsync or
// fdatasync of a file under MOUNT is passed to BACKING and then held for -delay. Put under one
// ZooKeeper member's transaction log folder, it widens the windows between the member's
// acknowledgement of a transaction and its durable write, where ZOOKEEPER-3642 and -3911 lost
// committed data.
//
//	slowfs -delay 200ms [-exit-on-eof] BACKING MOUNT
//
// It prints "mounted" once MOUNT serves, and unmounts on SIGINT or SIGTERM, or with -exit-on-eof
// when its standard input closes (so a parent that dies does not leave the mount behind).
// It mounts directly (no fusermount), so it runs as root.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// slowNode is a loopback node whose open files fsync slowly.
type slowNode struct {
	fs.LoopbackNode
	delay time.Duration
}

var _ = (fs.NodeOpener)((*slowNode)(nil))
var _ = (fs.NodeCreater)((*slowNode)(nil))

func (n *slowNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	fh, fuseFlags, errno := n.LoopbackNode.Open(ctx, flags)
	return n.slow(fh), fuseFlags, errno
}

func (n *slowNode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	inode, fh, fuseFlags, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	return inode, n.slow(fh), fuseFlags, errno
}

func (n *slowNode) slow(fh fs.FileHandle) fs.FileHandle {
	if lf, ok := fh.(*fs.LoopbackFile); ok {
		return &slowFile{LoopbackFile: lf, delay: n.delay}
	}
	return fh
}

// slowFile is a loopback file (every operation passed through) whose fsync is held for delay
// after the backing file's own.
type slowFile struct {
	*fs.LoopbackFile
	delay time.Duration
}

var _ = (fs.FileFsyncer)((*slowFile)(nil))

func (f *slowFile) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	errno := f.LoopbackFile.Fsync(ctx, flags)
	time.Sleep(f.delay)
	return errno
}

func main() {
	delay := flag.Duration("delay", 200*time.Millisecond, "how long each fsync is held")
	exitOnEOF := flag.Bool("exit-on-eof", false, "unmount and exit when standard input closes")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: slowfs -delay 200ms [-exit-on-eof] BACKING MOUNT")
		os.Exit(2)
	}
	backing, mount := flag.Arg(0), flag.Arg(1)
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		log.Fatalf("slowfs: backing folder %s: %v", backing, err)
	}
	root := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &slowNode{LoopbackNode: fs.LoopbackNode{RootData: r}, delay: *delay}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)
	server, err := fs.Mount(mount, root.RootNode, &fs.Options{
		// Members run as another user than this process: every user may use the mount.
		MountOptions: fuse.MountOptions{AllowOther: true, DirectMount: true, FsName: "slowfs", Name: "slowfs"},
	})
	if err != nil {
		log.Fatalf("slowfs: mounting %s: %v (it needs root and /dev/fuse)", mount, err)
	}
	fmt.Println("mounted")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- syscall.SIGTERM
		}()
	}
	go func() {
		<-stop
		if err := server.Unmount(); err != nil {
			// Still in use (a member not yet stopped): detach it, so no dead mount is left behind.
			log.Printf("slowfs: unmounting %s: %v; detaching it", mount, err)
			if err := syscall.Unmount(mount, syscall.MNT_DETACH); err != nil {
				log.Printf("slowfs: detaching %s: %v", mount, err)
			}
			os.Exit(1)
		}
	}()
	server.Wait()
}
