package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"strconv"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config is where an S3 store keeps its blobs.
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	Region    string
	Prefix    string // key prefix inside the bucket, e.g. "gqlbase/"
	Secure    bool   // https
	AccessKey string // empty: from the environment
	SecretKey string
}

// ParseS3URL reads s3://bucket?endpoint=host:port&region=r&secure=false&prefix=p. Credentials
// come from the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the MinIO names), so
// they never appear in a flag value, a log line or a process list.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return S3Config{}, fmt.Errorf("blob: parse %q: %w", raw, err)
	}
	if u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, fmt.Errorf("blob: %q: want s3://bucket?endpoint=host:port", raw)
	}
	if u.User != nil {
		return S3Config{}, errors.New("blob: put S3 credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL")
	}
	q := u.Query()
	cfg := S3Config{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"), Prefix: q.Get("prefix"), Secure: true}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "s3.amazonaws.com"
	}
	if s := q.Get("secure"); s != "" {
		if cfg.Secure, err = strconv.ParseBool(s); err != nil {
			return S3Config{}, fmt.Errorf("blob: secure=%q: %w", s, err)
		}
	}
	return cfg, nil
}

// S3 stores blobs as objects of one bucket.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
}

// NewS3 connects to the store and checks that the bucket exists (creating it if it does not,
// which needs the right to).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	var creds *credentials.Credentials
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.EnvMinio{}})
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client for %s: %w", cfg.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("blob: create s3 bucket %s: %w", cfg.Bucket, err)
		}
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

func (s *S3) Name() string { return "s3" }

func (s *S3) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}

// Put uploads the object; S3 makes an object visible only once its upload completed, so a
// killed Put leaves no object (an unfinished multipart upload is cleaned by the bucket's
// lifecycle rules, not seen as a blob).
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if _, err := s.c.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{}); err == nil {
		return nil
	}
	info, err := s.c.PutObject(ctx, s.bucket, name, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("blob: s3 put %s: %w", key, err)
	}
	if info.Size != size {
		_ = s.c.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
		return fmt.Errorf("blob: s3 put %s: stored %d bytes, expected %d", key, info.Size, size)
	}
	return nil
}

type s3Object struct {
	*minio.Object
	size int64
}

func (o s3Object) Size() int64 { return o.size }

func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 get %s: %w", key, err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		if notFound(err) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return nil, fmt.Errorf("blob: s3 stat %s: %w", key, err)
	}
	return s3Object{o, st.Size}, nil
}

func (s *S3) Stat(ctx context.Context, key string) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		if notFound(err) {
			return 0, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return 0, fmt.Errorf("blob: s3 stat %s: %w", key, err)
	}
	return st.Size, nil
}

// Delete removes the object. S3 answers a delete of a missing key with success, so the key is
// looked up first to keep the contract's ErrNotFound.
func (s *S3) Delete(ctx context.Context, key string) error {
	if _, err := s.Stat(ctx, key); err != nil {
		return err
	}
	name, _ := s.object(key)
	if err := s.c.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: s3 delete %s: %w", key, err)
	}
	return nil
}
