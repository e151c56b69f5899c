# frozen_string_literal: true

module NotiflowsAuth
  # The two per-request calls (verify, authenticate) without per-call native memory
  # (issue 15). Each Verifier and Authenticator holds one of these: the memory the C call
  # writes its outputs into (the user id, its length, the claims struct), and for
  # authenticate the memory the request's headers are written into (the header array and
  # the bytes it points to), all allocated once and reused. Outputs are read at the offsets
  # of the FFI::Struct layouts in native.rb. A Mutex keeps two threads from sharing the
  # memory at once (the handles are documented as safe to share).
  module Calls
    DATE_PRESENT = Native::NumericDate.offset_of(:present)
    DATE_SECONDS = Native::NumericDate.offset_of(:seconds)
    DATE_NANOS = Native::NumericDate.offset_of(:nanos)
    # Addresses and lengths are written as 64-bit words.
    raise LoadError, "notiflows_auth needs a 64-bit platform" unless FFI.type_size(:size_t) == 8 && FFI::Pointer.size == 8

    # One call's reusable outputs: the text (sub or user id), its length, and the struct.
    class Outputs
      attr_reader :text, :len, :struct

      def initialize(struct_class)
        @text = FFI::MemoryPointer.new(:uint8, Native::MAX_SUBJECT_BYTES)
        @len = FFI::MemoryPointer.new(:size_t)
        @struct = FFI::MemoryPointer.new(:uint8, struct_class.size)
      end

      # The text the call wrote, as UTF-8 (one new String).
      def text_value
        @text.get_bytes(0, @len.get_uint64(0)).force_encoding(Encoding::UTF_8)
      end

      def uint32(offset)
        @struct.get_uint32(offset)
      end

      # A NumericDate field as seconds (an Integer, or a Float when there is a fraction), or nil.
      def date(offset)
        return nil if @struct.get_uint8(offset + DATE_PRESENT).zero?

        seconds = @struct.get_int64(offset + DATE_SECONDS)
        nanos = @struct.get_uint32(offset + DATE_NANOS)
        nanos.zero? ? seconds : seconds + nanos / 1e9
      end
    end

    # notiflows_auth_verifier_verify over one Verifier's memory.
    class Verify
      IAT = Native::Claims.offset_of(:iat)
      EXP = Native::Claims.offset_of(:exp)
      NBF = Native::Claims.offset_of(:nbf)

      def initialize
        @out = Outputs.new(Native::Claims)
        @lock = Mutex.new
      end

      # Verifies `token` (a String, passed to the library as its bytes, not copied) at `now`;
      # returns a NotiflowsAuth::Claims or raises the library's error.
      def call(handle, token, now)
        out = @out
        @lock.synchronize do
          Native.check(Native.verifier_verify_into(handle, token, token.bytesize, now, out.text,
                                                   Native::MAX_SUBJECT_BYTES, out.len, out.struct))
          claims = NotiflowsAuth::Claims.allocate # keyword_init's new would build a Hash
          claims.sub = out.text_value
          claims.iat = out.date(IAT)
          claims.exp = out.date(EXP)
          claims.nbf = out.date(NBF)
          claims
        end
      end
    end

    # notiflows_auth_authenticator_authenticate over one Authenticator's memory. Requests
    # whose headers do not fit (over MAX_HEADERS headers or BYTES bytes) return nil: the
    # caller then copies them per call, as before.
    class Authenticate
      MAX_HEADERS = 128
      BYTES = 32 * 1024
      HEADER = Native::Header.size
      NAME = Native::Header.offset_of(:name)
      NAME_LEN = Native::Header.offset_of(:name_len)
      VALUE = Native::Header.offset_of(:value)
      VALUE_LEN = Native::Header.offset_of(:value_len)
      MODE = Native::Authenticated.offset_of(:mode)
      CREDENTIAL = Native::Authenticated.offset_of(:credential)
      EXPIRES_AT = Native::Authenticated.offset_of(:expires_at)

      # `modes`, `credentials`: the library's numbers to their names (Hash, Array).
      def initialize(modes, credentials)
        @modes = modes
        @credentials = credentials
        @out = Outputs.new(Native::Authenticated)
        @headers = FFI::MemoryPointer.new(:uint8, MAX_HEADERS * HEADER)
        @bytes = FFI::MemoryPointer.new(:uint8, BYTES)
        @bytes_address = @bytes.address
        @lock = Mutex.new
      end

      # Authenticates the request's `headers` (a Hash of name => value or [values], or
      # [name, value] pairs) at `now`; returns the AuthenticatedUser, raises the library's
      # error, or returns :too_large when the headers do not fit.
      def call(handle, headers, now)
        @lock.synchronize do
          count = write_headers(headers)
          return :too_large if count.nil?

          out = @out
          Native.check(Native.authenticator_authenticate_into(handle, @headers, count, now, out.text,
                                                              Native::MAX_SUBJECT_BYTES, out.len, out.struct))
          user = NotiflowsAuth::AuthenticatedUser.allocate # keyword_init's new would build a Hash
          user.user_id = out.text_value
          user.mode = @modes[out.uint32(MODE)]
          user.credential = @credentials[out.uint32(CREDENTIAL)]
          user.expires_at = out.date(EXPIRES_AT)
          user
        end
      end

      private

      # Writes every header; the count, or nil when they do not fit.
      def write_headers(headers)
        @count = 0
        @at = 0
        headers.each do |name, value|
          next if value.nil?

          if value.is_a?(Array)
            value.each { |v| return nil unless add(name, v) }
          else
            return nil unless add(name, value)
          end
        end
        @count
      end

      # Writes one header (name and value as their bytes, whatever their encoding).
      def add(name, value)
        name = name.to_s
        value = value.to_s
        return false if @count == MAX_HEADERS || @at + name.bytesize + value.bytesize > BYTES

        entry = @count * HEADER
        @headers.put_uint64(entry + NAME, @bytes_address + @at)
        @headers.put_uint64(entry + NAME_LEN, name.bytesize)
        @bytes.put_bytes(@at, name)
        @at += name.bytesize
        @headers.put_uint64(entry + VALUE, @bytes_address + @at)
        @headers.put_uint64(entry + VALUE_LEN, value.bytesize)
        @bytes.put_bytes(@at, value)
        @at += value.bytesize
        @count += 1
        true
      end
    end
  end
end
